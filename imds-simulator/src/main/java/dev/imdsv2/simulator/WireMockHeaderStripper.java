package dev.imdsv2.simulator;

import com.github.tomakehurst.wiremock.extension.ResponseTransformerV2;
import com.github.tomakehurst.wiremock.http.HttpHeaders;
import com.github.tomakehurst.wiremock.http.Response;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.util.stream.Collectors;

/**
 * Removes the {@code Matched-Stub-Id}/{@code Matched-Stub-Name} headers WireMock adds to every
 * stubbed response, so that answers look like those of real IMDS.
 */
final class WireMockHeaderStripper implements ResponseTransformerV2 {
    @Override
    public String getName() {
        return "imds-strip-wiremock-headers";
    }

    @Override
    public Response transform(Response response, ServeEvent serveEvent) {
        HttpHeaders kept = new HttpHeaders(response.getHeaders().all().stream()
                .filter(h -> !h.key().regionMatches(true, 0, "Matched-Stub-", 0, "Matched-Stub-".length()))
                .collect(Collectors.toList()));
        return Response.Builder.like(response).but().headers(kept).build();
    }
}
