FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY config ./config
COPY clinic ./clinic
COPY notifications ./notifications
COPY escalations ./escalations
COPY assessments ./assessments
COPY programs ./programs
COPY bookings ./bookings
COPY staff ./staff
COPY clinical_rules ./clinical_rules
COPY records ./records
COPY accounts ./accounts
COPY locale ./locale
COPY manage.py Procfile gunicorn.conf.py ./
RUN pip install --no-cache-dir . && mkdir -p var && \
    SECRET_KEY=build-only python manage.py collectstatic --noinput --verbosity 0
RUN useradd --create-home clinic && chown -R clinic /app
USER clinic
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
