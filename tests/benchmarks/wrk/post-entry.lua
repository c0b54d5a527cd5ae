-- wrk script: POST /api/journal with a fresh Idempotency-Key on every request, the peers'
-- workload: cash to one of 1,000 recipient accounts (6000-6999), 1.00 to 500.00.
-- Reads AIDLEDGER_WRK_TOKEN, AIDLEDGER_WRK_FUND and AIDLEDGER_WRK_DATE from the environment.
local token = os.getenv("AIDLEDGER_WRK_TOKEN")
local fund = os.getenv("AIDLEDGER_WRK_FUND")
local day = os.getenv("AIDLEDGER_WRK_DATE")
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("prefix", os.getenv("AIDLEDGER_WRK_RUN") .. "-" .. threads .. "-")
end

local counter = 0

function init(args)
  math.randomseed(os.time() + #prefix)
end

function request()
  counter = counter + 1
  local amount = string.format("%d.%02d", math.random(1, 499), math.random(0, 99))
  local account = string.format("6%03d", math.random(0, 999))
  local body = '{"fund":"' .. fund .. '","date":"' .. day .. '","memo":"wrk transfer",'
    .. '"lines":[{"account":"' .. account .. '","debit":"' .. amount .. '"},'
    .. '{"account":"1000","credit":"' .. amount .. '"}]}'
  return wrk.format("POST", "/api/journal", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
    ["Idempotency-Key"] = prefix .. counter,
  }, body)
end
