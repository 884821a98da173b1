# The web, worker and beat image of docker-compose.yml.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_ENV=production
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-noto-cjk curl \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# collectstatic needs settings that load; these values exist only for this build step.
RUN DJANGO_SECRET_KEY=build-only-not-a-secret-000000000000000000000000000000 DJANGO_ALLOWED_HOSTS=build \
    python manage.py collectstatic --no-input
RUN useradd --create-home --uid 1000 shop && mkdir -p /app/var && chown -R shop /app/var
USER shop
EXPOSE 8000
CMD ["daphne", "-b", "0.0.0.0", "-p", "8000", "config.asgi:application"]
