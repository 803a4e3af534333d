# Linli's image: the web app (gunicorn), `linli worker`, `linli scheduler` and the
# migration Job, as the Helm chart (helm/linli) runs them. It runs as a non-root user
# and fits a read-only root filesystem: it writes only to /tmp and LINLI_INSTANCE_PATH.
#   docker build -t registry.example.cn/linli/linli:0.1.0 .
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# The console's front-end packages, from the npm lockfile (served by the app, no CDN).
FROM node:20-bookworm-slim AS assets
WORKDIR /assets
COPY platform/linli/console/assets/package.json platform/linli/console/assets/package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/linli
WORKDIR /app
COPY pyproject.toml README.md ./
COPY platform platform
COPY plugins plugins
COPY migrations migrations
COPY --from=assets /assets/node_modules platform/linli/console/assets/node_modules
# Installed in place (editable): `linli db upgrade` finds the Alembic revisions beside the
# package, where a wheel would not carry them. Translations and bytecode are built here
# because the root filesystem is read-only at run time.
RUN /opt/linli/bin/pip install -e . \
    && /opt/linli/bin/pybabel compile --use-fuzzy -d platform/linli/translations \
    && /opt/linli/bin/python -m compileall -q /app/platform /app/plugins /app/migrations

FROM ${PYTHON_IMAGE}
RUN groupadd --system --gid 10001 linli \
    && useradd --system --uid 10001 --gid linli --no-create-home --home-dir /var/lib/linli linli \
    && install -d -o linli -g linli /var/lib/linli
COPY --from=build /opt/linli /opt/linli
COPY --from=build /app /app
ENV PATH=/opt/linli/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    LINLI_INSTANCE_PATH=/var/lib/linli
WORKDIR /app
USER 10001:10001
EXPOSE 8000
# No init wrapper: the command is PID 1 and takes SIGTERM itself (gunicorn lets requests
# in flight finish; `linli worker` finishes its job). Reaping is theirs too.
CMD ["gunicorn", "-c", "python:linli.gunicorn_config", "linli.wsgi:app"]
