# One image for every Python service of CryptoFlow (Dagster, API, consumer, simulator).
FROM node:20-bookworm-slim AS web
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web/ ./
RUN npm run build

FROM python:3.11-slim-bookworm
# UV_COMPILE_BYTECODE: .pyc files in the image, so that a Dagster run worker (a new process per
# run, importing the code location) does not compile dagster, dbt and dlt from source first.
ENV PYTHONUNBUFFERED=1 UV_PROJECT_ENVIRONMENT=/opt/venv PATH=/opt/venv/bin:$PATH \
    DAGSTER_HOME=/opt/dagster_home UV_COMPILE_BYTECODE=1
RUN pip install --no-cache-dir uv==0.13.8
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY . .
COPY --from=web /src/web/dist web/dist
RUN uv sync --frozen --no-dev \
 && mkdir -p $DAGSTER_HOME && cp dagster.yaml $DAGSTER_HOME/ \
 && cd dbt_project && dbt parse --quiet
EXPOSE 8000 3000 4266
CMD ["uvicorn", "api.main:app", "--host", "0.0.0.0", "--port", "8000", "--ws-per-message-deflate", "false", "--timeout-graceful-shutdown", "3"]
