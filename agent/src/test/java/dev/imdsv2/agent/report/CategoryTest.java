package dev.imdsv2.agent.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;


class CategoryTest {
    @Test
    void pathsFallIntoBoundedCategories() {
        assertEquals(Category.TOKEN, Category.of("/latest/api/token"));
        assertEquals(Category.CREDENTIALS, Category.of("/latest/meta-data/iam/security-credentials/role"));
        assertEquals(Category.CREDENTIALS, Category.of("/latest/meta-data/identity-credentials/ec2/security-credentials/ec2-instance"));
        assertEquals(Category.IDENTITY, Category.of("/latest/dynamic/instance-identity/document"));
        assertEquals(Category.PLACEMENT, Category.of("/2021-03-23/meta-data/placement/region"));
        assertEquals(Category.USER_DATA, Category.of("/latest/user-data"));
        assertEquals(Category.OTHER_META_DATA, Category.of("/latest/meta-data/instance-id"));
        assertEquals(Category.OTHER, Category.of("/"));
        assertEquals(Category.OTHER, Category.of("/latest"));
        assertEquals(Category.OTHER, Category.of(null));
    }
}
