package dev.imdsv2.simulator;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Issues session tokens and remembers when each one expires (wall clock, like IMDS). */
final class TokenStore {
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Long> expiresAtMillis = new ConcurrentHashMap<>();
    private final Set<String> issued = Collections.synchronizedSet(new LinkedHashSet<>());

    String issue(int ttlSeconds) {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        expiresAtMillis.put(token, System.currentTimeMillis() + ttlSeconds * 1000L);
        issued.add(token);
        return token;
    }

    boolean isValid(String token) {
        Long expiresAt = expiresAtMillis.get(token);
        return expiresAt != null && System.currentTimeMillis() < expiresAt;
    }

    void expireAll() {
        expiresAtMillis.replaceAll((token, expiresAt) -> Long.MIN_VALUE);
    }

    Set<String> issued() {
        synchronized (issued) {
            return Collections.unmodifiableSet(new LinkedHashSet<>(issued));
        }
    }
}
