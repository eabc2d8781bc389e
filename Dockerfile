# syntax=docker/dockerfile:1
# CouncilFlow: the API, web pages and scheduler. Multi-stage: assets from npm, a virtualenv
# built with the compilers, then a slim runtime as a non-root user.

FROM node:20-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY api/web/assets ./api/web/assets
RUN npm run build

FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
RUN python -m venv /opt/councilflow
COPY pyproject.toml README.md ./
COPY workflow ./workflow
COPY api ./api
COPY scheduler ./scheduler
COPY councilflow ./councilflow
RUN /opt/councilflow/bin/pip install --no-cache-dir .

FROM python:3.11-slim-bookworm AS runtime
ENV PATH=/opt/councilflow/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    COUNCILFLOW_DATABASE_URL=sqlite:////data/councilflow.db
# WeasyPrint renders the documents' PDFs with Pango (issue 9 part 4); DejaVu is its fallback font.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 councilflow \
    && useradd --system --uid 10001 --gid 10001 --home-dir /data --shell /usr/sbin/nologin councilflow \
    && mkdir -p /data && chown 10001:10001 /data
COPY --from=build /opt/councilflow /opt/councilflow
COPY --from=assets /build/api/static /opt/councilflow/static
ENV COUNCILFLOW_STATIC_DIR=/opt/councilflow/static
USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"]
ENTRYPOINT ["councilflow"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
