from tests.support import Api


def test_admin_can_open_a_fund_and_contribute(api: Api) -> None:
    fund = api.new_fund(contribution="1000.00")
    assert api.balances(fund)["1000"] == "1000.00"
    assert api.verify(fund)["ok"] is True
