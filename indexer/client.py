"""The one place that builds an Elasticsearch client from the settings."""

from __future__ import annotations

from elasticsearch import Elasticsearch

from indexer.settings import Settings


class ElasticsearchUnavailable(RuntimeError):
    """Elasticsearch did not answer; the message says where we looked and what to do."""


def build_client(settings: Settings, **overrides: object) -> Elasticsearch:
    """A client for every URL in the settings, authenticated as configured.

    Retries on timeouts and 429/5xx are on: a busy or restarting node should cost
    the user a moment, not an error.
    """
    options: dict[str, object] = {
        "request_timeout": settings.request_timeout,
        "retry_on_timeout": True,
        "max_retries": 3,
        "retry_on_status": (429, 502, 503, 504),
    }
    if settings.api_key:
        options["api_key"] = settings.api_key
    elif settings.username and settings.password:
        options["basic_auth"] = (settings.username, settings.password)
    if settings.ca_certs is not None:
        options["ca_certs"] = str(settings.ca_certs)
    options.update(overrides)
    return Elasticsearch(list(settings.elasticsearch_urls), **options)  # type: ignore[arg-type]


def check_reachable(client: Elasticsearch, settings: Settings) -> dict[str, object]:
    """The cluster's info, or ``ElasticsearchUnavailable`` naming the URL and the fix.

    Credentials never appear in the message: only the URLs do.
    """
    from elastic_transport import TransportError
    from elasticsearch import ApiError, AuthenticationException

    where = settings.display_urls
    quick = client.options(request_timeout=5, max_retries=0)
    try:
        try:
            return dict(quick.info())
        except ApiError as exc:
            if exc.meta.status != 405:
                raise
            # Elastic's minimal distribution has no root endpoint without our plugin.
            return {"cluster_name": quick.cluster.health()["cluster_name"]}
    except AuthenticationException:
        raise ElasticsearchUnavailable(
            f"Elasticsearch at {where} refused our credentials; check ELASTICSEARCH_API_KEY "
            "or ELASTICSEARCH_USERNAME/ELASTICSEARCH_PASSWORD"
        ) from None
    except (TransportError, ApiError) as exc:
        raise ElasticsearchUnavailable(
            f"Elasticsearch is not reachable at {where} ({type(exc).__name__}); "
            "start the local node with `make es-up` or set ELASTICSEARCH_URL"
        ) from None
