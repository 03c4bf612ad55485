/*
 * Verbatim: GET / and HEAD /, answering with the same body as Elastic's
 * rest-root module (org.elasticsearch.rest.root.MainResponse in 8.19).
 */
package org.verbatim.rootinfo;

import org.elasticsearch.Build;
import org.elasticsearch.client.internal.node.NodeClient;
import org.elasticsearch.cluster.ClusterState;
import org.elasticsearch.cluster.metadata.Metadata;
import org.elasticsearch.cluster.service.ClusterService;
import org.elasticsearch.index.IndexVersion;
import org.elasticsearch.rest.BaseRestHandler;
import org.elasticsearch.rest.RestRequest;
import org.elasticsearch.rest.RestResponse;
import org.elasticsearch.rest.RestStatus;
import org.elasticsearch.xcontent.XContentBuilder;

import java.util.List;
import java.util.function.Supplier;

import static org.elasticsearch.rest.RestRequest.Method.GET;
import static org.elasticsearch.rest.RestRequest.Method.HEAD;

/**
 * Builds the root-info JSON straight from the local node's state instead of
 * porting rest-root's MainAction/TransportMainAction: the answer only ever
 * describes the node that received the request, so a transport round trip
 * buys nothing.
 */
public class RestRootInfoAction extends BaseRestHandler {

    private final String nodeName;
    private final Supplier<ClusterService> clusterService;

    RestRootInfoAction(String nodeName, Supplier<ClusterService> clusterService) {
        this.nodeName = nodeName;
        this.clusterService = clusterService;
    }

    @Override
    public List<Route> routes() {
        return List.of(new Route(GET, "/"), new Route(HEAD, "/"));
    }

    @Override
    public String getName() {
        return "verbatim_root_info_action";
    }

    @Override
    public boolean canTripCircuitBreaker() {
        return false;
    }

    @Override
    protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) {
        return channel -> {
            ClusterService service = clusterService.get();
            if (service == null) {
                channel.sendResponse(new RestResponse(RestStatus.SERVICE_UNAVAILABLE, "node is still starting\n"));
                return;
            }
            ClusterState state = service.state();
            Metadata metadata = state.metadata();
            String clusterUuid = metadata.clusterUUIDCommitted() ? metadata.clusterUUID() : Metadata.UNKNOWN_CLUSTER_UUID;
            Build build = Build.current();

            XContentBuilder builder = channel.newBuilder();
            // Like rest-root: pretty by default, ?pretty=false turns it off.
            if (request.hasParam("pretty") == false) {
                builder.prettyPrint().lfAtEnd();
            }
            builder.startObject();
            builder.field("name", nodeName);
            builder.field("cluster_name", state.getClusterName().value());
            builder.field("cluster_uuid", clusterUuid);
            builder.startObject("version")
                .field("number", build.qualifiedVersion())
                .field("build_flavor", build.flavor())
                .field("build_type", build.type().displayName())
                .field("build_hash", build.hash())
                .field("build_date", build.date())
                .field("build_snapshot", build.isSnapshot())
                .field("lucene_version", IndexVersion.current().luceneVersion().toString())
                .field("minimum_wire_compatibility_version", build.minWireCompatVersion())
                .field("minimum_index_compatibility_version", build.minIndexCompatVersion())
                .endObject();
            builder.field("tagline", "You Know, for Search");
            builder.endObject();
            channel.sendResponse(new RestResponse(RestStatus.OK, builder));
        };
    }
}
