# Production-like image of the Courtyard API (the console is built into frontend/dist when present).
FROM python:3.11-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 COURTYARD_DATA_DIR=/data HOST=0.0.0.0 PORT=8000
COPY pyproject.toml ./
COPY backend ./backend
RUN pip install --no-cache-dir --no-compile .
COPY frontend/dis[t] ./frontend/dist
EXPOSE 8000
CMD ["python", "-m", "backend.cli", "serve"]
