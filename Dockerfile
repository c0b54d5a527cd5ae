# AidLedger service image: slim Python, WeasyPrint's system libraries, CJK fonts, non-root.
FROM python:3.11-slim

RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libfontconfig1 \
      shared-mime-info fonts-noto-core fonts-noto-cjk \
 && rm -rf /var/lib/apt/lists/*

RUN useradd --system --create-home --home-dir /home/aidledger aidledger \
 && mkdir /data && chown aidledger /data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY src ./src
COPY migrations ./migrations
COPY policies ./policies
COPY reports ./reports
RUN pip install --no-cache-dir .

ENV AIDLEDGER_ROOT=/app \
    AIDLEDGER_DATABASE_URL=sqlite:////data/aidledger.sqlite \
    AIDLEDGER_HOST=0.0.0.0 \
    AIDLEDGER_PORT=8000 \
    PYTHONUNBUFFERED=1

USER aidledger
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health')"
CMD ["aidledger", "serve"]
