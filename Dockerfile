# Dash for Strava: one Streamlit replica. compose.yaml runs two of them behind HAProxy.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first, so a code change does not reinstall them.
COPY requirements.txt .
RUN pip install -r requirements.txt

# A fixed uid: volumes and the database socket see the same owner on every host.
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin dash

# Only what the app runs; never .streamlit/secrets.toml (secrets come from the environment).
COPY --chown=dash:dash app.py ./
COPY --chown=dash:dash pages ./pages
COPY --chown=dash:dash strava_dash ./strava_dash
COPY --chown=dash:dash .streamlit/config.toml ./.streamlit/config.toml

USER dash
EXPOSE 8501

# The slim image has no curl; Python is there anyway.
HEALTHCHECK --interval=30s --timeout=5s --start-period=40s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4)"]

# The README's run command; 0.0.0.0 because the proxy reaches it from another container.
CMD ["streamlit", "run", "app.py", "--server.headless", "true", "--server.address", "0.0.0.0", "--server.port", "8501", "--browser.gatherUsageStats", "false"]
