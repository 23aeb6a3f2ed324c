package dev.imdsv2.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;

import org.junit.jupiter.api.Test;

class EndpointTest {
    private final Endpoint ipv4 = Endpoint.parse("http://169.254.169.254");
    private final Endpoint ipv6 = Endpoint.parse("http://[fd00:ec2::254]");

    @Test
    void matchesOnSchemeHostAndPort() throws Exception {
        assertTrue(ipv4.matches(new URL("http://169.254.169.254/latest/meta-data/")));
        assertTrue(ipv4.matches(new URL("http://169.254.169.254:80/latest/meta-data/")));
        assertFalse(ipv4.matches(new URL("http://169.254.169.254:8080/latest/meta-data/")));
        assertFalse(ipv4.matches(new URL("https://169.254.169.254/latest/meta-data/")));
        assertFalse(ipv4.matches(new URL("http://169.254.169.25/latest/meta-data/")));
        assertFalse(ipv4.matches(new URL("http://example.com/latest/meta-data/")));
    }

    @Test
    void ipv6LiteralsAreComparedNormalised() throws Exception {
        assertTrue(ipv6.matches(new URL("http://[fd00:ec2::254]/latest/meta-data/")));
        assertTrue(ipv6.matches(new URL("http://[fd00:ec2:0::254]/latest/meta-data/")));
        assertTrue(ipv6.matches(new URL("http://[FD00:EC2:0:0:0:0:0:254]/")));
        assertTrue(ipv6.matches("http", "fd00:ec2::254", 80), "clients that give the host without brackets");
        assertFalse(ipv6.matches(new URL("http://[fd00:ec2::255]/")));
        assertFalse(ipv6.matches(new URL("http://[fd00:ec2::254%eth0]/")));
        assertFalse(ipv4.matches(new URL("http://[::1]/")));
    }

    @Test
    void aLoopbackTestEndpointKeepsItsPort() throws Exception {
        Endpoint local = Endpoint.parse("http://127.0.0.1:1338/");
        assertEquals(1338, local.port());
        assertTrue(local.matches(new URL("http://127.0.0.1:1338/latest/meta-data/instance-id")));
        assertFalse(local.matches(new URL("http://127.0.0.1:1339/latest/meta-data/instance-id")));
    }

    @Test
    void malformedEndpointsAreRefusedWithAReason() {
        assertThrows(IllegalArgumentException.class, () -> Endpoint.parse("::garbage"));
        assertThrows(IllegalArgumentException.class, () -> Endpoint.parse("https://169.254.169.254"));
        assertThrows(IllegalArgumentException.class, () -> Endpoint.parse("http://169.254.169.254/latest/"));
        assertThrows(IllegalArgumentException.class, () -> Endpoint.parse("http://[fd00:zz::1]"));
        assertThrows(IllegalArgumentException.class, () -> Endpoint.parse("http://"));
    }

    @Test
    void aPortOutOfRangeIsRefusedWithItsReason() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Endpoint.parse("http://127.0.0.1:99999"));
        assertTrue(e.getMessage().contains("99999") && e.getMessage().contains("range"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Endpoint.parse("http://127.0.0.1:0"));
        assertEquals(65535, Endpoint.parse("http://127.0.0.1:65535").port());
    }
}
