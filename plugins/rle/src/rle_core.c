/*
 * rle_core.c - DICOM RLE Lossless (PS3.5 Annex G) frame decoder and encoder.
 *
 * See rle_core.h for the interface. Design notes:
 *
 * Decoding. A frame holds one RLE segment per byte of every sample (most
 * significant byte first, PS3.5 G.2); the output interleaves them. Frames
 * with one segment (8-bit monochrome) decode straight into the output. Other
 * frames decode chunk by chunk: every segment fills CHUNK bytes of a small
 * scratch plane (a resumable decoder keeps a run that crosses a chunk
 * boundary pending), then a loop specialised for the byte layout
 * interleaves the planes into the output. The scratch stays in L1 cache and
 * the interleave loops vectorise, which beats writing every byte with a
 * stride. Runs are copied with fixed 16-byte blocks when there is room
 * (plain stores, no per-byte branches), with exact copies near the ends.
 *
 * Bits Allocated 1: each frame is bit-packed on its own (PS3.5 8.1.1,
 * little-endian bit order as in native Pixel Data), so the segment holds
 * ceil(rows * columns / 8) bytes. Segments holding one byte per pixel (as
 * written by pylibjpeg-rle 2.2) are recognised by their length and accepted.
 *
 * Encoding. Each row of each byte plane is encoded on its own (runs never
 * cross a row, PS3.5 G.3.1). Repeats of 2 or more bytes become replicate
 * runs, other bytes literal runs, both at most 128 bytes long: the rule of
 * pydicom's and pylibjpeg-rle's encoders, whose output this matches byte for
 * byte. Scanning for runs uses SSE2 when available.
 */
#include "rle_core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* define RLE_NO_SIMD to build the portable scalar paths only (tested under the sanitizers) */
#if !defined(RLE_NO_SIMD) && (defined(__SSE2__) || defined(_M_X64) || (defined(_M_IX86_FP) && _M_IX86_FP >= 2))
#include <emmintrin.h>
#define RLE_HAVE_SSE2 1
#endif

#if defined(__BYTE_ORDER__) && defined(__ORDER_BIG_ENDIAN__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define RLE_BIG_ENDIAN_HOST 1
#else
#define RLE_BIG_ENDIAN_HOST 0
#endif

#if defined(_MSC_VER) && !defined(__clang__)
#define restrict __restrict
#endif

#if defined(__GNUC__) || defined(__clang__)
#define RLE_INLINE static inline __attribute__((always_inline))
#define RLE_LIKELY(x) __builtin_expect(!!(x), 1)
#define RLE_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define RLE_INLINE static inline
#define RLE_LIKELY(x) (x)
#define RLE_UNLIKELY(x) (x)
#endif

#define CHUNK 2048 /* pixels per chunk of the multi-segment decoder */
#define FAST 128   /* longest run: fixed-block copies may write this far */

/* ------------------------------------------------------------------ helpers */

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static void put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static void set_report(rle_report *rep, rle_status status, int segment, uint64_t offset,
                       uint64_t produced, uint64_t expected)
{
    if (rep) {
        rep->status = status;
        rep->segment = segment;
        rep->offset = offset;
        rep->produced = produced;
        rep->expected = expected;
    }
}

static int bytes_per_sample(int bits_allocated)
{
    switch (bits_allocated) {
    case 1:
        return 1; /* one segment per sample; packed bits */
    case 8:
        return 1;
    case 16:
        return 2;
    case 32:
        return 4;
    case 64:
        return 8;
    default:
        return 0;
    }
}

int rle_segments_needed(int bits_allocated, int samples)
{
    int bps = bytes_per_sample(bits_allocated);
    if (bps == 0 || samples < 1 || samples > RLE_MAX_SEGMENTS)
        return 0;
    if (bps * samples > RLE_MAX_SEGMENTS)
        return 0;
    return bps * samples;
}

/* rows * columns * samples * bytes, or 0 on overflow / invalid parameters */
static size_t checked_size(size_t rows, size_t columns, size_t samples, size_t bytes)
{
    size_t n = rows;
    if (rows == 0 || columns == 0 || samples == 0 || bytes == 0)
        return 0;
    if (n > SIZE_MAX / columns)
        return 0;
    n *= columns;
    if (n > SIZE_MAX / samples)
        return 0;
    n *= samples;
    if (n > SIZE_MAX / bytes)
        return 0;
    return n * bytes;
}

size_t rle_decoded_size(size_t rows, size_t columns, int samples, int bits_allocated)
{
    if (rle_segments_needed(bits_allocated, samples) == 0)
        return 0;
    return checked_size(rows, columns, (size_t)samples, (size_t)bytes_per_sample(bits_allocated));
}

/* ------------------------------------------------------ segment decoding */

typedef struct {
    const uint8_t *p;      /* next encoded byte */
    const uint8_t *end;    /* end of this segment's data */
    const uint8_t *srcend; /* end of the frame: limit of block over-reads */
    size_t lit;            /* literal bytes pending (they start at p) */
    size_t rep;            /* replicate bytes pending */
    uint8_t val;           /* value of the pending replicate run */
    int truncated;         /* the data ended inside a run */
} seg_t;

/* copy c (1..128) bytes in 16-byte blocks: writes round_up(c, 16) bytes */
RLE_INLINE void copy_blocks(uint8_t *d, const uint8_t *s, size_t c)
{
    size_t i = 0;
    do {
        memcpy(d + i, s + i, 16);
        i += 16;
    } while (i < c);
}

/* set c (1..128) bytes in 16-byte blocks: writes round_up(c, 16) bytes */
RLE_INLINE void set_blocks(uint8_t *d, uint8_t v, size_t c)
{
#ifdef RLE_HAVE_SSE2
    const __m128i x = _mm_set1_epi8((char)v);
    size_t i = 0;
    do {
        _mm_storeu_si128((__m128i *)(void *)(d + i), x);
        i += 16;
    } while (i < c);
#else
    uint8_t blk[16];
    size_t i = 0;
    memset(blk, v, sizeof blk);
    do {
        memcpy(d + i, blk, 16);
        i += 16;
    } while (i < c);
#endif
}

/*
 * Produce up to `want` bytes of segment s at d. Bytes d[want .. dcap) may be
 * overwritten with garbage (block copies). Returns the number produced:
 * less than `want` only when the segment's data is exhausted.
 */
static size_t seg_fill(seg_t *s, uint8_t *d, size_t want, size_t dcap)
{
    size_t got = 0;
    const uint8_t *p = s->p;
    const uint8_t *const end = s->end;

    if (s->rep) {
        size_t c = s->rep < want ? s->rep : want;
        memset(d, s->val, c);
        s->rep -= c;
        got = c;
    } else if (s->lit) {
        size_t c = s->lit < want ? s->lit : want;
        memcpy(d, p, c);
        p += c;
        s->lit -= c;
        got = c;
    }
    while (got < want && p < end) {
        unsigned h = *p++;
        if (h < 128) { /* literal run of h + 1 bytes */
            size_t c = (size_t)h + 1;
            size_t room = want - got;
            size_t avail = (size_t)(end - p);
            if (RLE_UNLIKELY(c > avail)) {
                s->truncated = 1;
                c = avail;
                if (c == 0)
                    break;
            }
            if (RLE_LIKELY(c <= room)) {
                if (RLE_LIKELY(dcap - got >= FAST && (size_t)(s->srcend - p) >= FAST))
                    copy_blocks(d + got, p, c);
                else
                    memcpy(d + got, p, c);
                got += c;
                p += c;
            } else {
                memcpy(d + got, p, room);
                p += room;
                s->lit = c - room;
                got = want;
            }
        } else if (h > 128) { /* replicate run of 257 - h bytes */
            size_t c = 257 - (size_t)h;
            size_t room = want - got;
            uint8_t v;
            if (RLE_UNLIKELY(p >= end)) {
                s->truncated = 1;
                break;
            }
            v = *p++;
            if (RLE_LIKELY(c <= room)) {
                if (RLE_LIKELY(dcap - got >= FAST))
                    set_blocks(d + got, v, c);
                else
                    memset(d + got, v, c);
                got += c;
            } else {
                memset(d + got, v, room);
                s->rep = c - room;
                s->val = v;
                got = want;
            }
        }
        /* h == 128: no operation */
    }
    s->p = p;
    return got;
}

/* Bytes the rest of segment s would still decode to (pending runs included). */
static uint64_t seg_extra(const seg_t *s)
{
    uint64_t extra = (uint64_t)s->lit + (uint64_t)s->rep;
    const uint8_t *p = s->p + s->lit;
    const uint8_t *end = s->end;
    while (p < end) {
        unsigned h = *p++;
        if (h < 128) {
            size_t c = (size_t)h + 1;
            size_t avail = (size_t)(end - p);
            if (c > avail)
                c = avail; /* a cut-off run: the even-length pad byte, usually */
            extra += c;
            p += c;
        } else if (h > 128) {
            if (p >= end)
                break;
            p++;
            extra += 257 - (uint64_t)h;
        }
    }
    return extra;
}

/* ------------------------------------------------------------ interleave */

/*
 * pl[b] is the plane supplying byte b (in memory order) of every pixel; the
 * loops below write n pixels of 2, 3, 4, 6 or 8 bytes (gcc vectorises them).
 */
static void interleave_2(uint8_t *restrict out, const uint8_t *const *pl, size_t n)
{
    const uint8_t *restrict a = pl[0];
    const uint8_t *restrict b = pl[1];
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = a[i];
        out[2 * i + 1] = b[i];
    }
}

static void interleave_3_scalar(uint8_t *restrict out, const uint8_t *const *pl, size_t n)
{
    const uint8_t *restrict a = pl[0];
    const uint8_t *restrict b = pl[1];
    const uint8_t *restrict c = pl[2];
    for (size_t i = 0; i < n; i++) {
        out[3 * i] = a[i];
        out[3 * i + 1] = b[i];
        out[3 * i + 2] = c[i];
    }
}

#if !defined(RLE_NO_SIMD) && (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#include <tmmintrin.h>
#define RLE_HAVE_SSSE3_DISPATCH 1

/* pshufb masks: output block q (bytes 16q..16q+15) takes plane p's byte t / 3
 * at position t when t % 3 == p (-1: zero) */
static const int8_t shuf3[3][3][16] = {
    {{0, -1, -1, 1, -1, -1, 2, -1, -1, 3, -1, -1, 4, -1, -1, 5},
     {-1, 0, -1, -1, 1, -1, -1, 2, -1, -1, 3, -1, -1, 4, -1, -1},
     {-1, -1, 0, -1, -1, 1, -1, -1, 2, -1, -1, 3, -1, -1, 4, -1}},
    {{-1, -1, 6, -1, -1, 7, -1, -1, 8, -1, -1, 9, -1, -1, 10, -1},
     {5, -1, -1, 6, -1, -1, 7, -1, -1, 8, -1, -1, 9, -1, -1, 10},
     {-1, 5, -1, -1, 6, -1, -1, 7, -1, -1, 8, -1, -1, 9, -1, -1}},
    {{-1, 11, -1, -1, 12, -1, -1, 13, -1, -1, 14, -1, -1, 15, -1, -1},
     {-1, -1, 11, -1, -1, 12, -1, -1, 13, -1, -1, 14, -1, -1, 15, -1},
     {10, -1, -1, 11, -1, -1, 12, -1, -1, 13, -1, -1, 14, -1, -1, 15}},
};

__attribute__((target("ssse3"))) static void interleave_3_ssse3(uint8_t *restrict out,
                                                                 const uint8_t *const *pl,
                                                                 size_t n)
{
    const uint8_t *restrict a = pl[0];
    const uint8_t *restrict b = pl[1];
    const uint8_t *restrict c = pl[2];
    __m128i m[3][3];
    size_t i = 0;
    for (int q = 0; q < 3; q++)
        for (int p = 0; p < 3; p++)
            m[q][p] = _mm_loadu_si128((const __m128i *)(const void *)shuf3[q][p]);
    for (; i + 16 <= n; i += 16) {
        __m128i va = _mm_loadu_si128((const __m128i *)(const void *)(a + i));
        __m128i vb = _mm_loadu_si128((const __m128i *)(const void *)(b + i));
        __m128i vc = _mm_loadu_si128((const __m128i *)(const void *)(c + i));
        uint8_t *o = out + 3 * i;
        for (int q = 0; q < 3; q++) {
            __m128i r = _mm_or_si128(
                _mm_or_si128(_mm_shuffle_epi8(va, m[q][0]), _mm_shuffle_epi8(vb, m[q][1])),
                _mm_shuffle_epi8(vc, m[q][2]));
            _mm_storeu_si128((__m128i *)(void *)(o + 16 * q), r);
        }
    }
    if (i < n) {
        const uint8_t *rest[3] = {a + i, b + i, c + i};
        interleave_3_scalar(out + 3 * i, rest, n - i);
    }
}
#endif

static void interleave_3(uint8_t *restrict out, const uint8_t *const *pl, size_t n)
{
#ifdef RLE_HAVE_SSSE3_DISPATCH
    if (__builtin_cpu_supports("ssse3")) {
        interleave_3_ssse3(out, pl, n);
        return;
    }
#endif
    interleave_3_scalar(out, pl, n);
}

static void interleave_4(uint8_t *restrict out, const uint8_t *const *pl, size_t n)
{
    const uint8_t *restrict a = pl[0];
    const uint8_t *restrict b = pl[1];
    const uint8_t *restrict c = pl[2];
    const uint8_t *restrict d = pl[3];
    for (size_t i = 0; i < n; i++) {
        out[4 * i] = a[i];
        out[4 * i + 1] = b[i];
        out[4 * i + 2] = c[i];
        out[4 * i + 3] = d[i];
    }
}

static void interleave_6(uint8_t *restrict out, const uint8_t *const *pl, size_t n)
{
    const uint8_t *restrict a = pl[0];
    const uint8_t *restrict b = pl[1];
    const uint8_t *restrict c = pl[2];
    const uint8_t *restrict d = pl[3];
    const uint8_t *restrict e = pl[4];
    const uint8_t *restrict f = pl[5];
    for (size_t i = 0; i < n; i++) {
        out[6 * i] = a[i];
        out[6 * i + 1] = b[i];
        out[6 * i + 2] = c[i];
        out[6 * i + 3] = d[i];
        out[6 * i + 4] = e[i];
        out[6 * i + 5] = f[i];
    }
}

static void interleave_8(uint8_t *restrict out, const uint8_t *const *pl, size_t n)
{
    const uint8_t *restrict a = pl[0];
    const uint8_t *restrict b = pl[1];
    const uint8_t *restrict c = pl[2];
    const uint8_t *restrict d = pl[3];
    const uint8_t *restrict e = pl[4];
    const uint8_t *restrict f = pl[5];
    const uint8_t *restrict g = pl[6];
    const uint8_t *restrict h = pl[7];
    for (size_t i = 0; i < n; i++) {
        out[8 * i] = a[i];
        out[8 * i + 1] = b[i];
        out[8 * i + 2] = c[i];
        out[8 * i + 3] = d[i];
        out[8 * i + 4] = e[i];
        out[8 * i + 5] = f[i];
        out[8 * i + 6] = g[i];
        out[8 * i + 7] = h[i];
    }
}

static void interleave_n(uint8_t *restrict out, const uint8_t *const *pl, size_t n, int stride)
{
    for (size_t i = 0; i < n; i++)
        for (int b = 0; b < stride; b++)
            out[i * (size_t)stride + (size_t)b] = pl[b][i];
}

/* ------------------------------------------------------------- decoding */

static rle_status parse_header(const uint8_t *src, size_t srclen, int needed, size_t *offs,
                               rle_report *rep)
{
    uint32_t count;
    if (srclen < RLE_HEADER_SIZE) {
        set_report(rep, RLE_ERR_HEADER_SHORT, -1, 0, srclen, RLE_HEADER_SIZE);
        return RLE_ERR_HEADER_SHORT;
    }
    count = le32(src);
    if (count != (uint32_t)needed) {
        set_report(rep, RLE_ERR_SEGMENT_COUNT, -1, 0, count, (uint64_t)needed);
        return RLE_ERR_SEGMENT_COUNT;
    }
    for (int k = 0; k < needed; k++) {
        size_t off = le32(src + 4 + 4 * (size_t)k);
        if (off < RLE_HEADER_SIZE) {
            set_report(rep, RLE_ERR_OFFSET_HEADER, k, off, 0, RLE_HEADER_SIZE);
            return RLE_ERR_OFFSET_HEADER;
        }
        if (off > srclen) {
            set_report(rep, RLE_ERR_OFFSET_PAST_END, k, off, 0, srclen);
            return RLE_ERR_OFFSET_PAST_END;
        }
        if (k > 0 && off <= offs[k - 1]) {
            set_report(rep, RLE_ERR_OFFSET_ORDER, k, off, 0, offs[k - 1]);
            return RLE_ERR_OFFSET_ORDER;
        }
        offs[k] = off;
    }
    offs[needed] = srclen;
    return RLE_OK;
}

static rle_status short_error(rle_report *rep, const seg_t *s, int k, size_t start, uint64_t got,
                              uint64_t expected)
{
    set_report(rep, RLE_ERR_SHORT, k, start, got, expected);
    if (rep)
        rep->truncated = s->truncated;
    return RLE_ERR_SHORT;
}

static rle_status check_tail(const seg_t *s, int k, size_t start, uint64_t expected,
                             unsigned flags, rle_report *rep)
{
    uint64_t extra;
    if (flags & RLE_FLAG_LENIENT)
        return RLE_OK;
    extra = seg_extra(s);
    if (extra > RLE_PAD_TOLERANCE) {
        set_report(rep, RLE_ERR_LONG, k, start, expected + extra, expected);
        return RLE_ERR_LONG;
    }
    return RLE_OK;
}

/* the 8 bits of v (LSB first) as 8 bytes of 0/1 at d */
RLE_INLINE void expand_byte(uint8_t *d, unsigned v)
{
#if RLE_BIG_ENDIAN_HOST
    for (int i = 0; i < 8; i++)
        d[i] = (uint8_t)((v >> i) & 1u);
#else
    /* byte i of x holds bit i of v; then each non-zero byte becomes 1 */
    uint64_t x = ((uint64_t)v * 0x0101010101010101ULL) & 0x8040201008040201ULL;
    x = ((x + 0x7F7F7F7F7F7F7F7FULL) & 0x8080808080808080ULL) >> 7;
    memcpy(d, &x, 8);
#endif
}

/* unpack nbits bits of buf (LSB first) to one byte each, in place (buf holds nbits bytes) */
static void unpack_in_place(uint8_t *buf, size_t nbits)
{
    size_t nbytes = (nbits + 7) / 8;
    size_t j = nbytes;
    /* the last, possibly partial, byte */
    if (nbits % 8) {
        uint8_t v = buf[--j];
        for (size_t i = 0; i < nbits % 8; i++)
            buf[8 * j + i] = (uint8_t)((v >> i) & 1u);
    }
    /* backwards: writing bytes 8j..8j+7 only clobbers bytes already expanded */
    while (j > 0) {
        uint8_t v = buf[--j];
        expand_byte(buf + 8 * j, v);
    }
}

static rle_status decode_1bit(seg_t *segs, const size_t *offs, int samples, uint8_t *dst,
                              size_t npix, unsigned flags, rle_report *rep)
{
    size_t packed = npix / 8 + (npix % 8 != 0);
    uint8_t *scratch = NULL;
    rle_status st = RLE_OK;
    if (samples > 1) {
        scratch = (uint8_t *)malloc(npix);
        if (!scratch) {
            set_report(rep, RLE_ERR_NOMEM, -1, 0, 0, npix);
            return RLE_ERR_NOMEM;
        }
    }
    for (int k = 0; k < samples; k++) {
        seg_t *s = &segs[k];
        uint8_t *t = samples > 1 ? scratch : dst;
        size_t got = seg_fill(s, t, npix, npix);
        if (got >= packed && (got - packed <= RLE_PAD_TOLERANCE || (flags & RLE_FLAG_LENIENT)) &&
            !(got == npix && npix > packed + RLE_PAD_TOLERANCE)) {
            /* the standard form: bit-packed, the whole segment consumed */
            unpack_in_place(t, npix);
        } else if (got == npix) {
            /* one byte per pixel (pylibjpeg-rle 2.2) */
            st = check_tail(s, k, offs[k], npix, flags, rep);
            if (st != RLE_OK)
                break;
            for (size_t i = 0; i < npix; i++)
                t[i] &= 1u;
        } else {
            set_report(rep, RLE_ERR_1BIT_LENGTH, k, offs[k], got, packed);
            if (rep)
                rep->truncated = s->truncated;
            st = RLE_ERR_1BIT_LENGTH;
            break;
        }
        if (samples > 1)
            for (size_t i = 0; i < npix; i++)
                dst[i * (size_t)samples + (size_t)k] = scratch[i];
    }
    free(scratch);
    return st;
}

rle_status rle_decode_frame(const uint8_t *src, size_t srclen, uint8_t *dst, size_t dstlen,
                            size_t rows, size_t columns, int samples, int bits_allocated,
                            unsigned flags, rle_report *rep)
{
    size_t offs[RLE_MAX_SEGMENTS + 1];
    seg_t segs[RLE_MAX_SEGMENTS];
    int nseg = rle_segments_needed(bits_allocated, samples);
    int bps = bytes_per_sample(bits_allocated);
    size_t npix, need;
    rle_status st;

    if (rep) {
        memset(rep, 0, sizeof *rep);
        rep->segment = -1;
        rep->nsegments = nseg;
    }
    need = rle_decoded_size(rows, columns, samples, bits_allocated);
    if (nseg == 0 || need == 0) {
        set_report(rep, RLE_ERR_ARGS, -1, 0, (uint64_t)bits_allocated, (uint64_t)samples);
        return RLE_ERR_ARGS;
    }
    if (dstlen != need) {
        set_report(rep, RLE_ERR_OUTPUT_SIZE, -1, 0, dstlen, need);
        return RLE_ERR_OUTPUT_SIZE;
    }
    st = parse_header(src, srclen, nseg, offs, rep);
    if (st != RLE_OK)
        return st;
    npix = rows * columns;
    for (int k = 0; k < nseg; k++) {
        segs[k].p = src + offs[k];
        segs[k].end = src + offs[k + 1];
        segs[k].srcend = src + srclen;
        segs[k].lit = 0;
        segs[k].rep = 0;
        segs[k].val = 0;
        segs[k].truncated = 0;
    }

    if (bits_allocated == 1)
        return decode_1bit(segs, offs, samples, dst, npix, flags, rep);

    if (nseg == 1) {
        size_t got = seg_fill(&segs[0], dst, npix, npix);
        if (got < npix)
            return short_error(rep, &segs[0], 0, offs[0], got, npix);
        return check_tail(&segs[0], 0, offs[0], npix, flags, rep);
    }

    {
        /* chunked: decode CHUNK pixels of every segment, then interleave */
        enum { PLANE = CHUNK + FAST };
        uint8_t *scratch = (uint8_t *)malloc((size_t)(unsigned)nseg * PLANE);
        const uint8_t *pl[RLE_MAX_SEGMENTS];
        int stride = nseg; /* bytes per pixel */
        if (!scratch) {
            set_report(rep, RLE_ERR_NOMEM, -1, 0, 0, (uint64_t)nseg * PLANE);
            return RLE_ERR_NOMEM;
        }
        /* segment k: sample k / bps, significance k % bps (0 = most significant
         * byte, or least with RLE_FLAG_LE_SEGMENTS); pl[] is in memory order */
        for (int k = 0; k < nseg; k++) {
            int sample = k / bps;
            int sig = k % bps; /* 0 = most significant */
            int pos;
            if (flags & RLE_FLAG_LE_SEGMENTS)
                sig = bps - 1 - sig;
            pos = RLE_BIG_ENDIAN_HOST ? sig : bps - 1 - sig;
            pl[sample * bps + pos] = scratch + (size_t)k * PLANE;
        }
        for (size_t p0 = 0; p0 < npix; p0 += CHUNK) {
            size_t cnt = npix - p0 < CHUNK ? npix - p0 : CHUNK;
            uint8_t *out = dst + p0 * (size_t)stride;
            for (int k = 0; k < nseg; k++) {
                size_t got = seg_fill(&segs[k], scratch + (size_t)k * PLANE, cnt, PLANE);
                if (got < cnt) {
                    free(scratch);
                    return short_error(rep, &segs[k], k, offs[k], p0 + got, npix);
                }
            }
            switch (stride) {
            case 2:
                interleave_2(out, pl, cnt);
                break;
            case 3:
                interleave_3(out, pl, cnt);
                break;
            case 4:
                interleave_4(out, pl, cnt);
                break;
            case 6:
                interleave_6(out, pl, cnt);
                break;
            case 8:
                interleave_8(out, pl, cnt);
                break;
            default:
                interleave_n(out, pl, cnt, stride);
                break;
            }
        }
        free(scratch);
        for (int k = 0; k < nseg; k++) {
            st = check_tail(&segs[k], k, offs[k], npix, flags, rep);
            if (st != RLE_OK)
                return st;
        }
    }
    return RLE_OK;
}

/* ------------------------------------------------------------- encoding */

/* output slack of rle_encode_bound(): literal runs are copied in 16-byte blocks */
#define ENC_SLACK FAST

/* literal runs for r[0..n); bytes up to rlimit may be read (block copies) */
RLE_INLINE uint8_t *emit_literal(uint8_t *o, const uint8_t *r, size_t n, const uint8_t *rlimit)
{
    while (n > 128) {
        *o++ = 127;
        memcpy(o, r, 128);
        o += 128;
        r += 128;
        n -= 128;
    }
    if (n) {
        *o++ = (uint8_t)(n - 1);
        if ((size_t)(rlimit - r) >= FAST)
            copy_blocks(o, r, n);
        else
            memcpy(o, r, n);
        o += n;
    }
    return o;
}

static uint8_t *emit_replicate(uint8_t *o, uint8_t v, size_t n)
{
    while (n >= 128) {
        *o++ = 129; /* -127: 128 copies */
        *o++ = v;
        n -= 128;
    }
    if (n >= 2) {
        *o++ = (uint8_t)(257 - n);
        *o++ = v;
    } else if (n == 1) { /* a lone byte left over: a literal run of 1, as the references do */
        *o++ = 0;
        *o++ = v;
    }
    return o;
}

#if defined(__GNUC__) || defined(__clang__)
#define CTZ64(x) ((size_t)__builtin_ctzll((unsigned long long)(x)))
#else
static size_t CTZ64(uint64_t x)
{
    size_t n = 0;
    while (!(x & 1u)) {
        x >>= 1;
        n++;
    }
    return n;
}
#endif

/*
 * eq bit j (word j / 64) is set when r[j] == r[j + 1], for j + 1 < L; every other
 * bit of the (L + 63) / 64 words is clear, so runs end with the row. Reads r[0..L).
 */
static void equal_mask(const uint8_t *r, size_t L, uint64_t *eq)
{
    size_t nwords = (L + 63) / 64;
    size_t i = 0;
    memset(eq, 0, nwords * sizeof *eq);
#ifdef RLE_HAVE_SSE2
    for (; i + 16 < L; i += 16) { /* reads r[i .. i + 16] */
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(r + i));
        __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(r + i + 1));
        uint64_t m = (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(a, b));
        eq[i >> 6] |= m << (i & 63); /* i is a multiple of 16: no straddling */
    }
#endif
    for (; i + 1 < L; i++)
        if (r[i] == r[i + 1])
            eq[i >> 6] |= (uint64_t)1 << (i & 63);
}

/*
 * Encode one row of L >= 1 bytes; bytes up to rlimit may be read, eq has room for
 * (L + 63) / 64 words. Repeats of 2 or more bytes become replicate runs, the rest
 * literal runs (the reference encoders' rule). Returns the end of the output.
 */
static uint8_t *encode_row(const uint8_t *r, size_t L, uint8_t *o, const uint8_t *rlimit,
                           uint64_t *eq)
{
    const size_t nwords = (L + 63) / 64;
    size_t lit = 0, pos = 0;
    equal_mask(r, L, eq);
    for (;;) {
        size_t w = pos >> 6, k, e;
        uint64_t m;
        if (w >= nwords)
            break;
        m = eq[w] & (~(uint64_t)0 << (pos & 63));
        while (!m) { /* next pair of equal bytes */
            if (++w >= nwords)
                goto done;
            m = eq[w];
        }
        k = (w << 6) + CTZ64(m);
        /* the run lasts while bits stay set; bit L - 1 is clear, so this stops in range */
        m = ~eq[w] & (~(uint64_t)0 << (k & 63));
        while (!m)
            m = ~eq[++w];
        e = (w << 6) + CTZ64(m) + 1; /* the run is r[k .. e) */
        if (k > lit)
            o = emit_literal(o, r + lit, k - lit, rlimit);
        o = emit_replicate(o, r[k], e - k);
        lit = pos = e;
    }
done:
    if (L > lit)
        o = emit_literal(o, r + lit, L - lit, rlimit);
    return o;
}

/* worst case of encode_row: literal runs cost one byte per 128, and a 1-byte
 * literal next to a 2-byte replicate run costs 4 bytes for 3 */
static size_t row_bound(size_t L)
{
    return L + L / 2 + 2;
}

typedef struct {
    size_t nrows;  /* rows of the byte planes as encoded */
    size_t rowlen; /* bytes per row (the last 1-bit row may be shorter) */
    size_t plane;  /* bytes per plane */
    size_t segcap; /* bytes reserved per encoded segment (worst case + slack) */
} enc_geom;

static int encode_geometry(size_t rows, size_t columns, int samples, int bits_allocated,
                           enc_geom *g)
{
    size_t npix;
    if (rle_segments_needed(bits_allocated, samples) == 0)
        return 0;
    if (checked_size(rows, columns, (size_t)samples, 8) == 0)
        return 0;
    npix = rows * columns;
    if (bits_allocated == 1) {
        /* the packed plane in "rows" of `columns` bytes (the last one shorter), as
         * pydicom's segment encoder does with packed data: this reproduces the
         * reference files (pydicom-data liver_rle.dcm) byte for byte */
        g->plane = npix / 8 + (npix % 8 != 0);
        g->rowlen = columns < g->plane ? columns : g->plane;
        g->nrows = g->plane / g->rowlen + (g->plane % g->rowlen != 0);
    } else {
        g->plane = npix;
        g->nrows = rows;
        g->rowlen = columns;
    }
    if (g->rowlen > (SIZE_MAX - 2) / 2 || row_bound(g->rowlen) > (SIZE_MAX - 64) / g->nrows)
        return 0;
    /* + the even-length pad byte, + room for the last block copy's overshoot */
    g->segcap = g->nrows * row_bound(g->rowlen) + 2 + 16;
    return 1;
}

size_t rle_encode_bound(size_t rows, size_t columns, int samples, int bits_allocated)
{
    enc_geom g;
    size_t nseg = (size_t)(unsigned)rle_segments_needed(bits_allocated, samples);
    if (!encode_geometry(rows, columns, samples, bits_allocated, &g))
        return 0;
    if (g.segcap > (SIZE_MAX - RLE_HEADER_SIZE - ENC_SLACK) / nseg)
        return 0;
    return RLE_HEADER_SIZE + nseg * g.segcap + ENC_SLACK;
}

/* pack n 0/1 values (bit 0 of each byte of src, stride `stride`) LSB first */
static void pack_plane(const uint8_t *src, size_t n, size_t stride, uint8_t *out)
{
    size_t full = n / 8;
    for (size_t j = 0; j < full; j++) {
        const uint8_t *s = src + 8 * j * stride;
        unsigned v = 0;
        for (unsigned b = 0; b < 8; b++)
            v |= (unsigned)(s[b * stride] & 1u) << b;
        out[j] = (uint8_t)v;
    }
    if (n % 8) {
        const uint8_t *s = src + 8 * full * stride;
        unsigned v = 0;
        for (unsigned b = 0; b < n % 8; b++)
            v |= (unsigned)(s[b * stride] & 1u) << b;
        out[full] = (uint8_t)v;
    }
}

static void deinterleave_3_scalar(const uint8_t *restrict in, size_t n, uint8_t *const *pl)
{
    uint8_t *restrict a = pl[0];
    uint8_t *restrict b = pl[1];
    uint8_t *restrict c = pl[2];
    for (size_t i = 0; i < n; i++) {
        a[i] = in[3 * i];
        b[i] = in[3 * i + 1];
        c[i] = in[3 * i + 2];
    }
}

#ifdef RLE_HAVE_SSSE3_DISPATCH
/* pshufb masks: plane p takes input block q's byte (3i + p - 16q) at position i */
static const int8_t unshuf3[3][3][16] = {
    {{0, 3, 6, 9, 12, 15, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1},
     {-1, -1, -1, -1, -1, -1, 2, 5, 8, 11, 14, -1, -1, -1, -1, -1},
     {-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 1, 4, 7, 10, 13}},
    {{1, 4, 7, 10, 13, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1},
     {-1, -1, -1, -1, -1, 0, 3, 6, 9, 12, 15, -1, -1, -1, -1, -1},
     {-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 2, 5, 8, 11, 14}},
    {{2, 5, 8, 11, 14, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1},
     {-1, -1, -1, -1, -1, 1, 4, 7, 10, 13, -1, -1, -1, -1, -1, -1},
     {-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0, 3, 6, 9, 12, 15}},
};

__attribute__((target("ssse3"))) static void deinterleave_3_ssse3(const uint8_t *restrict in,
                                                                   size_t n, uint8_t *const *pl)
{
    __m128i m[3][3];
    size_t i = 0;
    for (int p = 0; p < 3; p++)
        for (int q = 0; q < 3; q++)
            m[p][q] = _mm_loadu_si128((const __m128i *)(const void *)unshuf3[p][q]);
    for (; i + 16 <= n; i += 16) {
        const uint8_t *s = in + 3 * i;
        __m128i x0 = _mm_loadu_si128((const __m128i *)(const void *)s);
        __m128i x1 = _mm_loadu_si128((const __m128i *)(const void *)(s + 16));
        __m128i x2 = _mm_loadu_si128((const __m128i *)(const void *)(s + 32));
        for (int p = 0; p < 3; p++) {
            __m128i v = _mm_or_si128(
                _mm_or_si128(_mm_shuffle_epi8(x0, m[p][0]), _mm_shuffle_epi8(x1, m[p][1])),
                _mm_shuffle_epi8(x2, m[p][2]));
            _mm_storeu_si128((__m128i *)(void *)(pl[p] + i), v);
        }
    }
    if (i < n) {
        uint8_t *rest[3] = {pl[0] + i, pl[1] + i, pl[2] + i};
        deinterleave_3_scalar(in + 3 * i, n - i, rest);
    }
}
#endif

/* split n pixels of `stride` bytes into the planes pl[b] (b: byte position in memory) */
static void deinterleave(const uint8_t *restrict in, size_t n, int stride, uint8_t *const *pl)
{
    switch (stride) {
    case 2: {
        uint8_t *restrict a = pl[0];
        uint8_t *restrict b = pl[1];
        for (size_t i = 0; i < n; i++) {
            a[i] = in[2 * i];
            b[i] = in[2 * i + 1];
        }
        break;
    }
    case 3:
#ifdef RLE_HAVE_SSSE3_DISPATCH
        if (__builtin_cpu_supports("ssse3")) {
            deinterleave_3_ssse3(in, n, pl);
            break;
        }
#endif
        deinterleave_3_scalar(in, n, pl);
        break;
    case 4: {
        uint8_t *restrict a = pl[0];
        uint8_t *restrict b = pl[1];
        uint8_t *restrict c = pl[2];
        uint8_t *restrict d = pl[3];
        for (size_t i = 0; i < n; i++) {
            a[i] = in[4 * i];
            b[i] = in[4 * i + 1];
            c[i] = in[4 * i + 2];
            d[i] = in[4 * i + 3];
        }
        break;
    }
    default:
        for (size_t i = 0; i < n; i++)
            for (int b = 0; b < stride; b++)
                pl[b][i] = in[i * (size_t)stride + (size_t)b];
        break;
    }
}

rle_status rle_encode_frame(const uint8_t *src, size_t srclen, uint8_t *dst, size_t dstcap,
                            size_t *dstlen, size_t rows, size_t columns, int samples,
                            int bits_allocated, unsigned flags, rle_report *rep)
{
    enc_geom g;
    int nseg = rle_segments_needed(bits_allocated, samples);
    int bps = bytes_per_sample(bits_allocated);
    size_t need = rle_decoded_size(rows, columns, samples, bits_allocated);
    size_t bound = rle_encode_bound(rows, columns, samples, bits_allocated);
    size_t stride = (size_t)(unsigned)nseg; /* bytes per pixel in src (1-bit: samples) */
    uint8_t *rowbuf = NULL;
    uint64_t *eq = NULL;
    size_t rowcap = 0;
    uint8_t *cursor[RLE_MAX_SEGMENTS];
    size_t pos;

    if (rep) {
        memset(rep, 0, sizeof *rep);
        rep->segment = -1;
        rep->nsegments = nseg;
    }
    if (nseg == 0 || need == 0 || bound == 0 || !encode_geometry(rows, columns, samples, bits_allocated, &g)) {
        set_report(rep, RLE_ERR_ARGS, -1, 0, (uint64_t)bits_allocated, (uint64_t)samples);
        return RLE_ERR_ARGS;
    }
    if (srclen != need) {
        set_report(rep, RLE_ERR_OUTPUT_SIZE, -1, 0, srclen, need);
        return RLE_ERR_OUTPUT_SIZE;
    }
    if (dstcap < bound) {
        set_report(rep, RLE_ERR_ENCODE_SPACE, -1, 0, dstcap, bound);
        return RLE_ERR_ENCODE_SPACE;
    }
    eq = (uint64_t *)malloc((g.rowlen / 64 + 2) * sizeof *eq);
    if (bits_allocated == 1)
        rowcap = g.plane + FAST; /* + slack for block reads */
    else if (nseg > 1)
        rowcap = g.rowlen + FAST;
    if (rowcap)
        rowbuf = (uint8_t *)malloc(rowcap * (bits_allocated == 1 ? 1 : stride));
    if (!eq || (rowcap && !rowbuf)) {
        free(eq);
        free(rowbuf);
        set_report(rep, RLE_ERR_NOMEM, -1, 0, 0, rowcap * stride);
        return RLE_ERR_NOMEM;
    }
    /* segment k is written to region k of dst (segcap bytes each), compacted below */
    for (int k = 0; k < nseg; k++)
        cursor[k] = dst + RLE_HEADER_SIZE + (size_t)k * g.segcap;

    if (bits_allocated == 1) {
        for (int k = 0; k < nseg; k++) {
            pack_plane(src + k, rows * columns, stride, rowbuf);
            for (size_t r = 0; r < g.nrows; r++) {
                size_t start = r * g.rowlen;
                size_t len = g.plane - start < g.rowlen ? g.plane - start : g.rowlen;
                cursor[k] = encode_row(rowbuf + start, len, cursor[k], rowbuf + rowcap, eq);
            }
        }
    } else if (nseg == 1) {
        for (size_t r = 0; r < g.nrows; r++)
            cursor[0] = encode_row(src + r * g.rowlen, g.rowlen, cursor[0], src + srclen, eq);
    } else {
        /* row by row: split the row into byte planes once, then encode each plane */
        uint8_t *pl[RLE_MAX_SEGMENTS];
        const uint8_t *limit = rowbuf + rowcap * stride;
        for (int k = 0; k < nseg; k++) {
            int sample = k / bps;
            int sig = k % bps; /* 0 = most significant */
            if (flags & RLE_FLAG_LE_SEGMENTS)
                sig = bps - 1 - sig;
            pos = (size_t)sample * (size_t)bps + (size_t)(RLE_BIG_ENDIAN_HOST ? sig : bps - 1 - sig);
            pl[pos] = rowbuf + (size_t)k * rowcap;
        }
        for (size_t r = 0; r < g.nrows; r++) {
            deinterleave(src + r * g.rowlen * stride, g.rowlen, nseg, pl);
            for (int k = 0; k < nseg; k++)
                cursor[k] = encode_row(rowbuf + (size_t)k * rowcap, g.rowlen, cursor[k], limit, eq);
        }
    }
    free(rowbuf);
    free(eq);

    memset(dst, 0, RLE_HEADER_SIZE);
    put_le32(dst, (uint32_t)nseg);
    pos = RLE_HEADER_SIZE;
    for (int k = 0; k < nseg; k++) {
        uint8_t *region = dst + RLE_HEADER_SIZE + (size_t)k * g.segcap;
        size_t len = (size_t)(cursor[k] - region);
        if (len % 2)
            region[len++] = 0; /* segments have even length (PS3.5 G.3) */
        if (pos > UINT32_MAX) {
            set_report(rep, RLE_ERR_ENCODE_SPACE, k, pos, pos, UINT32_MAX);
            return RLE_ERR_ENCODE_SPACE; /* offsets are 32-bit */
        }
        put_le32(dst + 4 + 4 * (size_t)k, (uint32_t)pos);
        if (dst + pos != region)
            memmove(dst + pos, region, len);
        pos += len;
    }
    *dstlen = pos;
    return RLE_OK;
}

/* --------------------------------------------------------------- reports */

void rle_format_report(const rle_report *rep, char *buf, size_t buflen)
{
    int seg = rep->segment + 1;
    int n = rep->nsegments;
    unsigned long long off = (unsigned long long)rep->offset;
    unsigned long long got = (unsigned long long)rep->produced;
    unsigned long long exp = (unsigned long long)rep->expected;
    if (!buf || buflen == 0)
        return;
    switch (rep->status) {
    case RLE_OK:
        snprintf(buf, buflen, "no error");
        break;
    case RLE_ERR_ARGS:
        snprintf(buf, buflen,
                 "RLE Lossless cannot hold Bits Allocated %llu with Samples per Pixel %llu "
                 "(Bits Allocated must be 1, 8, 16, 32 or 64 and the frame needs at most 15 "
                 "segments), or the frame size is zero or too large",
                 got, exp);
        break;
    case RLE_ERR_OUTPUT_SIZE:
        snprintf(buf, buflen, "the buffer holds %llu bytes but the frame has %llu", got, exp);
        break;
    case RLE_ERR_HEADER_SHORT:
        snprintf(buf, buflen, "the RLE frame is %llu bytes long, shorter than its 64-byte header",
                 got);
        break;
    case RLE_ERR_SEGMENT_COUNT:
        snprintf(buf, buflen,
                 "the RLE header declares %llu segments but the image needs %llu "
                 "(one per byte of each sample)",
                 got, exp);
        break;
    case RLE_ERR_OFFSET_HEADER:
        snprintf(buf, buflen, "RLE segment %d of %d: its offset %llu points into the 64-byte header",
                 seg, n, off);
        break;
    case RLE_ERR_OFFSET_PAST_END:
        snprintf(buf, buflen,
                 "RLE segment %d of %d: its offset %llu is past the end of the %llu-byte frame", seg,
                 n, off, exp);
        break;
    case RLE_ERR_OFFSET_ORDER:
        snprintf(buf, buflen,
                 "RLE segment %d of %d: its offset %llu does not follow the previous segment's "
                 "offset %llu (offsets must increase)",
                 seg, n, off, exp);
        break;
    case RLE_ERR_SHORT:
        snprintf(buf, buflen,
                 "RLE segment %d of %d (offset %llu) decodes to %llu bytes but %llu are needed%s", seg,
                 n, off, got, exp,
                 rep->truncated ? " (its last run is cut off by the end of the segment)" : "");
        break;
    case RLE_ERR_LONG:
        snprintf(buf, buflen,
                 "RLE segment %d of %d (offset %llu) decodes to %llu bytes but only %llu are needed "
                 "(its runs overflow the segment; pass rle_lenient=True to ignore the excess)",
                 seg, n, off, got, exp);
        break;
    case RLE_ERR_1BIT_LENGTH:
        snprintf(buf, buflen,
                 "RLE segment %d of %d (offset %llu) decodes to %llu bytes; a bit-packed 1-bit "
                 "frame needs %llu%s",
                 seg, n, off, got, exp,
                 rep->truncated ? " (its last run is cut off by the end of the segment)" : "");
        break;
    case RLE_ERR_NOMEM:
        snprintf(buf, buflen, "out of memory (%llu bytes)", exp);
        break;
    case RLE_ERR_ENCODE_SPACE:
        snprintf(buf, buflen, "the encoded frame does not fit: %llu bytes available, %llu needed",
                 got, exp);
        break;
    default:
        snprintf(buf, buflen, "unknown RLE error %d", (int)rep->status);
        break;
    }
}
