# syntax=docker/dockerfile:1
FROM python:3.11-slim AS runtime

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    EXCHANGE_HOME=/app \
    EXCHANGE_DATA_DIR=/data

WORKDIR /app

# Dependencies first, so that code changes do not reinstall them.
COPY pyproject.toml README.md ./
COPY exchange/__init__.py exchange/__init__.py
RUN pip install --upgrade pip && pip install .

COPY exchange ./exchange
COPY migrations ./migrations
COPY templates ./templates
COPY static ./static
COPY alembic.ini ./
RUN pip install --no-deps . \
    && useradd --create-home --uid 10001 exchange \
    && mkdir -p /data && chown exchange:exchange /data

USER exchange
VOLUME ["/data"]
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=4).status == 200 else 1)"

# `serve` applies pending migrations first, then serves.
CMD ["exchange", "serve", "--host", "0.0.0.0", "--port", "8000"]
