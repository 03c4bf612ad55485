"""The one place that builds an Elasticsearch client from the settings."""

from __future__ import annotations

from elastic_transport.client_utils import DEFAULT
from elasticsearch import Elasticsearch

from indexer.errors import TRANSIENT_STATUSES, ElasticsearchUnavailable
from indexer.settings import Settings


def build_client(settings: Settings, *, request_timeout: float | None = None) -> Elasticsearch:
    """A client for every URL in the settings, authenticated as configured.

    Retries on timeouts and 429/5xx are on: a busy or restarting node should cost
    the user a moment, not an error. ``request_timeout`` overrides the settings' for
    long jobs (bulk loads of benchmarks).
    """
    basic_auth = None
    if not settings.api_key and settings.username and settings.password:
        basic_auth = (settings.username, settings.password)
    return Elasticsearch(
        list(settings.elasticsearch_urls),
        request_timeout=request_timeout or settings.request_timeout,
        retry_on_timeout=True,
        max_retries=3,
        retry_on_status=TRANSIENT_STATUSES,
        api_key=settings.api_key or None,
        basic_auth=basic_auth,
        ca_certs=str(settings.ca_certs) if settings.ca_certs is not None else DEFAULT,
    )


def check_reachable(client: Elasticsearch, settings: Settings) -> dict[str, object]:
    """The cluster's info, or ``ElasticsearchUnavailable`` naming the URL and the fix.

    Credentials never appear in the message: only the URLs do. Each URL gets one try
    before the cluster is called unreachable: a cluster that has lost one node still
    answers, and the node pool moves on from a node that refused.
    """
    from elastic_transport import TransportError
    from elasticsearch import ApiError, AuthenticationException

    where = settings.display_urls
    quick = client.options(request_timeout=5,
                           max_retries=max(0, len(settings.elasticsearch_urls) - 1))
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
