/* test_web_hmac.c — SHA-256 and HMAC-SHA-256 against the published vectors (FIPS 180-4
 * examples, RFC 4231 test cases 1, 2, 6, 7), hex output and the constant-time compare.
 * Each case runs in its own process: `test_web_hmac NAME` runs one. */
#include "check.h"
#include "web_hmac.h"

#include <stdlib.h>

static void hex_of(const uint8_t *d, char *out)
{
    web_hex(d, WEB_SHA256_SIZE, out);
}

static void test_sha256(void)
{
    uint8_t d[WEB_SHA256_SIZE];
    char hex[65];
    web_sha256("abc", 3, d);
    hex_of(d, hex);
    CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    web_sha256("", 0, d);
    hex_of(d, hex);
    CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    web_sha256(two, strlen(two), d);
    hex_of(d, hex);
    CHECK_STR(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    /* a million 'a's crosses many blocks and the length's high bytes */
    char *m = malloc(1000000);
    memset(m, 'a', 1000000);
    web_sha256(m, 1000000, d);
    free(m);
    hex_of(d, hex);
    CHECK_STR(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void test_hmac(void)
{
    uint8_t d[WEB_SHA256_SIZE], key[131];
    char hex[65];
    memset(key, 0x0b, 20);
    web_hmac_sha256(key, 20, "Hi There", 8, d);
    hex_of(d, hex);
    CHECK_STR(hex, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    web_hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, d);
    hex_of(d, hex);
    CHECK_STR(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    memset(key, 0xaa, sizeof key); /* a key longer than a block is hashed first */
    const char *m6 = "Test Using Larger Than Block-Size Key - Hash Key First";
    web_hmac_sha256(key, 131, m6, strlen(m6), d);
    hex_of(d, hex);
    CHECK_STR(hex, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    const char *m7 = "This is a test using a larger than block-size key and a larger than "
                     "block-size data. The key needs to be hashed before being used by the "
                     "HMAC algorithm.";
    web_hmac_sha256(key, 131, m7, strlen(m7), d);
    hex_of(d, hex);
    CHECK_STR(hex, "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

static void test_equal_secret(void)
{
    CHECK(web_equal_secret("abc", "abc"));
    CHECK(!web_equal_secret("abc", "abd"));
    CHECK(!web_equal_secret("abc", "ab"));
    CHECK(!web_equal_secret("", "a"));
    CHECK(web_equal_secret("", ""));
}

static const struct check_case cases[] = {
    {"sha256", test_sha256},
    {"hmac", test_hmac},
    {"equal_secret", test_equal_secret},
};

int main(int argc, char **argv)
{
    return check_main(cases, sizeof cases / sizeof cases[0], argc, argv);
}
