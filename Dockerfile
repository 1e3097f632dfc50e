# Production-like image of the Courtyard API (the console is built into frontend/dist when present).
FROM python:3.11-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 COURTYARD_DATA_DIR=/data HOST=0.0.0.0 PORT=8000
COPY pyproject.toml ./
COPY backend ./backend
RUN pip install --no-cache-dir --no-compile .
COPY frontend/dis[t] ./frontend/dist
# The operations the console and the owner app send by id (backend/core/trusted.py trusts them at start).
COPY frontend/src/graphql/generated/persisted-documents.json ./frontend/src/graphql/generated/persisted-documents.json
EXPOSE 8000
CMD ["python", "-m", "backend.cli", "serve"]
