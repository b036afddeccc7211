# motcua's image: one image for the portal (motcua serve), the background worker (motcua worker) and
# one-off commands (motcua db upgrade, motcua check-config). Production is the default: the container
# refuses to start without its secrets (see docs/deployment.md).
FROM python:3.11-slim-bookworm AS build
# The pages' stylesheet is built from the npm registry (GOV.UK Frontend, themed) into the wheel.
RUN apt-get update -q && apt-get install -y -q --no-install-recommends nodejs npm && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml setup.py README.md LICENSE ./
COPY LICENSES LICENSES
COPY assets/package.json assets/package-lock.json assets/*.scss assets/*.svg assets/*.mjs assets/*.js assets/
COPY scripts/build_assets.py scripts/
COPY src src
RUN pip wheel --no-cache-dir --wheel-dir /wheels ".[s3]"

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    MOTCUA_DATA_DIR=/var/lib/motcua \
    MOTCUA_STORAGE_DIR=/var/lib/motcua/attachments
# OCR of digitised paper records (ocrmypdf, Vietnamese Tesseract data), fonts for the PDFs.
RUN apt-get update -q \
    && apt-get install -y -q --no-install-recommends ocrmypdf tesseract-ocr-vie fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /var/lib/motcua --create-home motcua
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links /wheels "motcua[s3]" && rm -rf /wheels
USER motcua
WORKDIR /var/lib/motcua
VOLUME /var/lib/motcua
EXPOSE 8000
# Liveness: the process answers. Readiness (/api/v1/ready, the database) is for the load balancer.
HEALTHCHECK --interval=10s --timeout=3s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/api/v1/health', timeout=2)"]
CMD ["motcua", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
