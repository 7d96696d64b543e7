/*
 * driver.c - sanitizer driver for the RLE codec core (plugins/rle/src/rle_core.c).
 *
 * Build (tests/plugins/rle/test_sanitizers.py does this):
 *
 *   gcc -std=c99 -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
 *       -Iplugins/rle/src fuzz/rle/driver.c plugins/rle/src/rle_core.c -o rle_driver
 *
 * Usage:
 *
 *   rle_driver [-n MUTATIONS] [-s SEED] [-r RANDOM_IMAGES] FILE...
 *
 * Each FILE holds records: the 4 bytes "RLEF", then six little-endian uint32
 * (rows, columns, samples, bits allocated, flags, length) and `length` bytes
 * of one RLE frame. For every record the driver:
 *
 *   1. decodes it (into an output buffer of exactly the frame's size, from an
 *      input buffer of exactly its length, so ASan sees any overrun);
 *   2. if that worked, encodes the result and decodes it again: the two must
 *      be equal (a round-trip failure exits with status 2);
 *   3. decodes MUTATIONS mutated copies (flipped and random bytes, extreme run
 *      headers, corrupted segment counts and offsets, truncation, extension,
 *      random flags, and occasionally the wrong geometry), round-tripping the
 *      ones that still decode.
 *
 * It then encodes RANDOM_IMAGES random images of every Bits Allocated and
 * Samples per Pixel and checks that they decode back exactly.
 *
 * Malformed input must only ever produce an error status; a sanitizer report
 * aborts the process. The last line is a summary:
 *
 *   records R ok O errors E mutated M mutated_ok K roundtrips T random_images I
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rle_core.h"

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static uint64_t rnd(void)
{
    /* xorshift64* */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1DULL;
}

static size_t rnd_below(size_t n)
{
    return n ? (size_t)(rnd() % n) : 0;
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static void wr32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static struct {
    unsigned long records, ok, errors, mutated, mutated_ok, roundtrips, random_images;
} stats;

static void die(const char *what)
{
    fprintf(stderr, "rle_driver: %s\n", what);
    exit(3);
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        die("out of memory");
    return p;
}

/* decode src (copied into an exact-size buffer); returns the output or NULL */
static uint8_t *decode_exact(const uint8_t *src, size_t len, size_t rows, size_t cols, int spp,
                             int bits, unsigned flags, size_t *outlen)
{
    uint8_t *in = (uint8_t *)xmalloc(len);
    size_t n = rle_decoded_size(rows, cols, spp, bits);
    uint8_t *out;
    rle_report rep;
    rle_status st;
    char msg[512];
    if (len)
        memcpy(in, src, len);
    if (n == 0 || n > ((size_t)1 << 28)) {
        free(in);
        return NULL;
    }
    out = (uint8_t *)xmalloc(n);
    st = rle_decode_frame(in, len, out, n, rows, cols, spp, bits, flags, &rep);
    free(in);
    rle_format_report(&rep, msg, sizeof msg); /* exercise the formatter on every result */
    if (st != RLE_OK) {
        if (rep.status != st)
            die("report status differs from the returned status");
        free(out);
        return NULL;
    }
    *outlen = n;
    return out;
}

/* encode a decoded frame and decode it again: must be identical */
static void roundtrip(const uint8_t *frame, size_t n, size_t rows, size_t cols, int spp, int bits,
                      unsigned flags)
{
    size_t cap = rle_encode_bound(rows, cols, spp, bits);
    size_t enclen = 0, n2 = 0;
    uint8_t *enc, *again;
    uint8_t *copy = (uint8_t *)xmalloc(n);
    rle_report rep;
    memcpy(copy, frame, n);
    if (cap == 0)
        die("no encode bound for a geometry that decoded");
    enc = (uint8_t *)xmalloc(cap);
    if (rle_encode_frame(copy, n, enc, cap, &enclen, rows, cols, spp, bits,
                         flags & RLE_FLAG_LE_SEGMENTS, &rep) != RLE_OK) {
        char msg[512];
        rle_format_report(&rep, msg, sizeof msg);
        fprintf(stderr, "encode failed: %s\n", msg);
        exit(2);
    }
    again = decode_exact(enc, enclen, rows, cols, spp, bits, flags & RLE_FLAG_LE_SEGMENTS, &n2);
    if (!again || n2 != n || memcmp(again, frame, n) != 0) {
        fprintf(stderr, "round trip failed: %zux%zu samples %d bits %d\n", rows, cols, spp, bits);
        exit(2);
    }
    stats.roundtrips++;
    free(again);
    free(enc);
    free(copy);
}

static void mutate(uint8_t **buf, size_t *len)
{
    int count = 1 + (int)rnd_below(4);
    for (int m = 0; m < count; m++) {
        uint8_t *b = *buf;
        size_t n = *len;
        switch (rnd_below(9)) {
        case 0: /* flip a bit */
            if (n)
                b[rnd_below(n)] ^= (uint8_t)(1u << rnd_below(8));
            break;
        case 1: /* random byte */
            if (n)
                b[rnd_below(n)] = (uint8_t)rnd();
            break;
        case 2: { /* extreme run header */
            static const uint8_t extremes[] = {0x00, 0x7F, 0x80, 0x81, 0xFF, 0x01, 0xFE};
            if (n > RLE_HEADER_SIZE)
                b[RLE_HEADER_SIZE + rnd_below(n - RLE_HEADER_SIZE)] = extremes[rnd_below(sizeof extremes)];
            break;
        }
        case 3: /* segment count */
            if (n >= 4)
                wr32(b, (uint32_t)rnd_below(18));
            break;
        case 4: { /* one offset: random, near the end, past it, or before the previous */
            if (n >= RLE_HEADER_SIZE) {
                size_t k = 1 + rnd_below(15);
                uint32_t v;
                switch (rnd_below(4)) {
                case 0:
                    v = (uint32_t)rnd();
                    break;
                case 1:
                    v = (uint32_t)(n - rnd_below(4));
                    break;
                case 2:
                    v = (uint32_t)(n + rnd_below(4));
                    break;
                default:
                    v = rd32(b + 4 * (k - 1)) - (uint32_t)rnd_below(3);
                    break;
                }
                wr32(b + 4 * k, v);
            }
            break;
        }
        case 5: /* truncate */
            *len = rnd_below(n + 1);
            break;
        case 6: { /* extend with random bytes */
            size_t extra = 1 + rnd_below(300);
            uint8_t *nb = (uint8_t *)xmalloc(n + extra);
            if (n)
                memcpy(nb, b, n);
            for (size_t i = 0; i < extra; i++)
                nb[n + i] = (uint8_t)rnd();
            free(b);
            *buf = nb;
            *len = n + extra;
            break;
        }
        case 7: { /* overwrite a stretch with one value (long runs of a header byte) */
            if (n > RLE_HEADER_SIZE) {
                size_t at = RLE_HEADER_SIZE + rnd_below(n - RLE_HEADER_SIZE);
                size_t span = 1 + rnd_below(64);
                uint8_t v = (uint8_t)rnd();
                for (size_t i = at; i < n && i < at + span; i++)
                    b[i] = v;
            }
            break;
        }
        default: { /* delete a stretch (shifts runs against their headers) */
            if (n > RLE_HEADER_SIZE + 1) {
                size_t at = RLE_HEADER_SIZE + rnd_below(n - RLE_HEADER_SIZE);
                size_t span = 1 + rnd_below(16);
                if (at + span > n)
                    span = n - at;
                memmove(b + at, b + at + span, n - at - span);
                *len = n - span;
            }
            break;
        }
        }
    }
}

static void run_record(const uint8_t *frame, size_t len, size_t rows, size_t cols, int spp,
                       int bits, unsigned flags, unsigned long mutations)
{
    size_t n = 0;
    uint8_t *out = decode_exact(frame, len, rows, cols, spp, bits, flags, &n);
    stats.records++;
    if (out) {
        stats.ok++;
        roundtrip(out, n, rows, cols, spp, bits, flags);
        free(out);
    } else {
        stats.errors++;
    }
    /* big frames get fewer mutations: the sanitizers make them slow */
    if (len > 1000000)
        mutations = mutations / 20 + 1;
    else if (len > 100000)
        mutations = mutations / 4 + 1;
    for (unsigned long m = 0; m < mutations; m++) {
        size_t mlen = len;
        uint8_t *buf = (uint8_t *)xmalloc(len);
        size_t r = rows, c = cols;
        int s = spp, b = bits;
        unsigned f = (unsigned)rnd_below(4);
        memcpy(buf, frame, len);
        mutate(&buf, &mlen);
        if (rnd_below(16) == 0) { /* the wrong geometry */
            switch (rnd_below(4)) {
            case 0:
                r = 1 + rnd_below(rows * 2);
                break;
            case 1:
                c = 1 + rnd_below(cols * 2);
                break;
            case 2:
                s = rnd_below(2) ? 1 : 3;
                break;
            default: {
                static const int bs[] = {1, 8, 16, 32, 64, 12, 0};
                b = bs[rnd_below(7)];
                break;
            }
            }
        }
        stats.mutated++;
        out = decode_exact(buf, mlen, r, c, s, b, f, &n);
        if (out) {
            stats.mutated_ok++;
            roundtrip(out, n, r, c, s, b, f);
            free(out);
        }
        free(buf);
    }
}

static void random_images(unsigned long count)
{
    static const int bits[] = {1, 8, 16, 32, 64};
    for (unsigned long i = 0; i < count; i++) {
        int b = bits[rnd_below(5)];
        int s = rnd_below(2) ? 1 : 3;
        size_t rows = 1 + rnd_below(40), cols = 1 + rnd_below(40);
        size_t n = rle_decoded_size(rows, cols, s, b);
        uint8_t *img;
        if (n == 0) { /* 64-bit RGB needs 24 segments: must be refused */
            size_t cap = rle_encode_bound(rows, cols, s, b), len = 0;
            uint8_t dummy[1];
            rle_report rep;
            if (cap != 0 ||
                rle_encode_frame(dummy, 1, dummy, 1, &len, rows, cols, s, b, 0, &rep) != RLE_ERR_ARGS)
                die("an impossible geometry was accepted");
            continue;
        }
        img = (uint8_t *)xmalloc(n);
        switch (rnd_below(4)) {
        case 0: /* noise */
            for (size_t k = 0; k < n; k++)
                img[k] = (uint8_t)rnd();
            break;
        case 1: /* constant */
            memset(img, (int)(rnd() & 0xFF), n);
            break;
        case 2: /* few values: many short runs */
            for (size_t k = 0; k < n; k++)
                img[k] = (uint8_t)rnd_below(2);
            break;
        default: { /* long runs of random lengths */
            size_t k = 0;
            while (k < n) {
                size_t run = 1 + rnd_below(300);
                uint8_t v = (uint8_t)rnd();
                for (size_t j = 0; j < run && k < n; j++)
                    img[k++] = v;
            }
            break;
        }
        }
        if (b == 1)
            for (size_t k = 0; k < n; k++)
                img[k] &= 1u;
        roundtrip(img, n, rows, cols, s, b, (unsigned)rnd_below(2));
        stats.random_images++;
        free(img);
    }
}

static void run_file(const char *path, unsigned long mutations)
{
    FILE *fp = fopen(path, "rb");
    uint8_t head[28];
    if (!fp) {
        perror(path);
        exit(3);
    }
    while (fread(head, 1, sizeof head, fp) == sizeof head) {
        uint32_t rows = rd32(head + 4), cols = rd32(head + 8), spp = rd32(head + 12);
        uint32_t bits = rd32(head + 16), flags = rd32(head + 20), len = rd32(head + 24);
        uint8_t *frame;
        if (memcmp(head, "RLEF", 4) != 0)
            die("bad record magic");
        frame = (uint8_t *)xmalloc(len);
        if (fread(frame, 1, len, fp) != len)
            die("truncated record");
        run_record(frame, len, rows, cols, (int)spp, (int)bits, flags, mutations);
        free(frame);
    }
    fclose(fp);
}

int main(int argc, char **argv)
{
    unsigned long mutations = 100, images = 200;
    int i = 1;
    for (; i < argc; i++) {
        if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
            mutations = strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "-s") == 0 && i + 1 < argc)
            rng_state = strtoull(argv[++i], NULL, 10) * 2654435761ULL + 1;
        else if (strcmp(argv[i], "-r") == 0 && i + 1 < argc)
            images = strtoul(argv[++i], NULL, 10);
        else
            break;
    }
    for (; i < argc; i++)
        run_file(argv[i], mutations);
    random_images(images);
    printf("records %lu ok %lu errors %lu mutated %lu mutated_ok %lu roundtrips %lu random_images %lu\n",
           stats.records, stats.ok, stats.errors, stats.mutated, stats.mutated_ok, stats.roundtrips,
           stats.random_images);
    return 0;
}
