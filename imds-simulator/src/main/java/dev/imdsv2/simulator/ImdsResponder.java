package dev.imdsv2.simulator;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The IMDS protocol. The simulator has a single catch-all stub; this transformer, applied to it,
 * decides every answer from the current {@link Behaviour} and {@link TokenStore}.
 */
final class ImdsResponder implements ResponseDefinitionTransformerV2 {
    static final String TTL_HEADER = "X-aws-ec2-metadata-token-ttl-seconds";

    /** {@code /latest/...}, {@code /2021-03-23/...}, {@code /1.0/...}: group 2 is the rest, if any. */
    private static final Pattern VERSIONED = Pattern.compile("^/(latest|1\\.0|\\d{4}-\\d{2}-\\d{2})(/.*)?$");
    private static final Pattern TOKEN_PATH = Pattern.compile("^/(latest|1\\.0|\\d{4}-\\d{2}-\\d{2})/api/token/?$");
    private static final String VERSIONS = "1.0\n2007-01-19\n2016-09-02\n2021-03-23\nlatest";

    private final Behaviour behaviour;
    private final TokenStore tokens;
    private final TokenPutCounter tokenPuts;
    private final MetadataCatalog catalog = new MetadataCatalog();

    ImdsResponder(Behaviour behaviour, TokenStore tokens, TokenPutCounter tokenPuts) {
        this.behaviour = behaviour;
        this.tokens = tokens;
        this.tokenPuts = tokenPuts;
    }

    @Override
    public String getName() {
        return "imds-responder";
    }

    /** A PUT for a session token, on {@code /latest/api/token} or a versioned token path. */
    static boolean isTokenPut(String method, String path) {
        return "PUT".equals(method) && TOKEN_PATH.matcher(path).matches();
    }

    @Override
    public ResponseDefinition transform(ServeEvent serveEvent) {
        Request request = serveEvent.getRequest();
        String path = Journal.pathOf(request);
        if (!isTokenPut(request.getMethod().getName(), path)) {
            return delayed(metadata(request, path));
        }
        tokenPuts.begin();
        try {
            return delayed(tokenPut(request, path));
        } finally {
            tokenPuts.end();
        }
    }

    private ResponseDefinition delayed(ResponseDefinition answer) {
        Duration delay = behaviour.delay;
        if (!delay.isZero()) {
            behaviour.pause(delay); // on this Jetty thread: nothing is written until it returns
        }
        return answer;
    }

    private ResponseDefinition tokenPut(Request request, String path) {
        if (behaviour.tokenPutNeverAnswered) {
            behaviour.hang();
            // Released by close() or resetFaults(): the client has long given up, so just drop it.
            return ResponseDefinitionBuilder.responseDefinition().withFault(Fault.CONNECTION_RESET_BY_PEER).build();
        }
        if (behaviour.tokenPutDropped) {
            return ResponseDefinitionBuilder.responseDefinition().withFault(Fault.CONNECTION_RESET_BY_PEER).build();
        }
        int forcedStatus = behaviour.tokenPutStatus;
        if (forcedStatus != 0) {
            return plain(forcedStatus, "").build();
        }
        if (!path.startsWith("/latest/")) {
            return plain(403, "").build(); // IMDS refuses tokens on versioned paths
        }
        if (request.containsHeader("X-Forwarded-For")) {
            return plain(403, "").build(); // IMDS refuses token PUTs that went through a proxy
        }
        int ttl = parseTtl(request.getHeader(TTL_HEADER));
        if (ttl < 1 || ttl > Behaviour.MAX_TTL_SECONDS) {
            return plain(400, "").build();
        }
        int granted = Math.min(ttl, behaviour.tokenLifetimeCapSeconds);
        return plain(200, tokens.issue(granted)).withHeader(TTL_HEADER, Integer.toString(granted)).build();
    }

    private ResponseDefinition metadata(Request request, String path) {
        if (request.containsHeader(ReceivedRequest.TOKEN_HEADER)) {
            if (behaviour.rejectEveryToken || !tokens.isValid(request.getHeader(ReceivedRequest.TOKEN_HEADER))) {
                return plain(401, "").build(); // unknown or expired, whatever the mode
            }
        } else if (behaviour.tokensRequired) {
            return plain(401, "").build();
        }
        String method = request.getMethod().getName();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            return plain(405, "").withHeader("Allow", "GET, HEAD").build();
        }
        Behaviour.Redirect redirect = behaviour.redirects.get(path);
        if (redirect != null) {
            return plain(redirect.status(), "").withHeader("Location", redirect.location()).build();
        }
        Optional<String> body = lookup(path);
        return body.map(b -> plain(200, b).build()).orElseGet(() -> plain(404, "").build());
    }

    private Optional<String> lookup(String path) {
        if (path.equals("/")) {
            return Optional.of(VERSIONS);
        }
        Matcher versioned = VERSIONED.matcher(path);
        if (!versioned.matches()) {
            return Optional.empty();
        }
        String rest = versioned.group(2) == null ? "" : versioned.group(2).substring(1);
        return catalog.lookup(rest);
    }

    private static int parseTtl(String value) {
        if (value == null || value.isEmpty() || value.length() > 9) {
            return -1;
        }
        for (int i = 0; i < value.length(); i++) {
            if (!Character.isDigit(value.charAt(i))) {
                return -1;
            }
        }
        return Integer.parseInt(value);
    }

    private static ResponseDefinitionBuilder plain(int status, String body) {
        return ResponseDefinitionBuilder.responseDefinition()
                .withStatus(status)
                .withHeader("Content-Type", "text/plain")
                .withHeader("Server", "EC2ws")
                .withBody(body);
    }
}
