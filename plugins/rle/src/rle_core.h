/*
 * rle_core.h - DICOM RLE Lossless (PS3.5 Annex G) frame decoder and encoder.
 *
 * Plain C99, no Python dependency: the Python extension (_rle.c), the
 * sanitizer driver (fuzz/rle/driver.c) and anything else can link it.
 *
 * Decoded frames are interleaved (colour-by-pixel), native byte order:
 *   Bits Allocated 8/16/32/64: rows * columns * samples samples of
 *       bits_allocated / 8 bytes each;
 *   Bits Allocated 1: rows * columns * samples bytes, each 0 or 1.
 *
 * Every read of the encoded frame and every write of the output is bounds
 * checked; malformed input yields a status and an rle_report describing what
 * was wrong (which segment, where), never an out-of-bounds access.
 */
#ifndef DICODEC_RLE_CORE_H
#define DICODEC_RLE_CORE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RLE_HEADER_SIZE 64
#define RLE_MAX_SEGMENTS 15

/* flags for rle_decode_frame / rle_encode_frame */
/* segments ordered least significant byte first (non-conformant files) */
#define RLE_FLAG_LE_SEGMENTS 1u
/* accept any data decoded past a segment's expected length */
#define RLE_FLAG_LENIENT 2u

/* Bytes a segment may decode to beyond its expected length without being an
 * error (encoders that pad an odd-length byte segment with one more byte). */
#define RLE_PAD_TOLERANCE 1u

typedef enum {
    RLE_OK = 0,
    RLE_ERR_ARGS,            /* unsupported geometry / bits / samples */
    RLE_ERR_OUTPUT_SIZE,     /* output buffer does not match the geometry */
    RLE_ERR_HEADER_SHORT,    /* fewer than 64 bytes */
    RLE_ERR_SEGMENT_COUNT,   /* header's count differs from the image's need */
    RLE_ERR_OFFSET_HEADER,   /* a segment offset points into the header */
    RLE_ERR_OFFSET_PAST_END, /* a segment offset is past the end of the frame */
    RLE_ERR_OFFSET_ORDER,    /* segment offsets are not increasing */
    RLE_ERR_SHORT,           /* a segment decodes to fewer bytes than needed */
    RLE_ERR_LONG,            /* a segment decodes to more bytes than needed */
    RLE_ERR_1BIT_LENGTH,     /* a 1-bit segment is neither packed nor 1 byte/pixel */
    RLE_ERR_NOMEM,           /* scratch allocation failed */
    RLE_ERR_ENCODE_SPACE     /* encoder: destination buffer too small */
} rle_status;

typedef struct {
    rle_status status;
    int segment;       /* 0-based segment index, -1 if not about one segment */
    int nsegments;     /* segments the image needs */
    int truncated;     /* the segment's data ended inside a run */
    uint64_t offset;   /* byte offset in the frame (segment start, or value) */
    uint64_t produced; /* bytes decoded / claimed / found */
    uint64_t expected; /* bytes or count expected */
} rle_report;

/* Number of RLE segments a frame needs (0 if the parameters are invalid). */
int rle_segments_needed(int bits_allocated, int samples);

/* Bytes of one decoded frame (0 if the parameters are invalid). */
size_t rle_decoded_size(size_t rows, size_t columns, int samples, int bits_allocated);

/*
 * Decode one RLE frame into dst (dstlen must equal rle_decoded_size()).
 * Returns RLE_OK or an error status (also stored in *rep when rep != NULL).
 */
rle_status rle_decode_frame(const uint8_t *src, size_t srclen, uint8_t *dst, size_t dstlen,
                            size_t rows, size_t columns, int samples, int bits_allocated,
                            unsigned flags, rle_report *rep);

/* Upper bound of the encoded size of one frame (0 if the parameters are invalid). */
size_t rle_encode_bound(size_t rows, size_t columns, int samples, int bits_allocated);

/*
 * Encode one frame (layout as rle_decode_frame's output; for Bits Allocated 1
 * only bit 0 of each byte is used). dstcap should be rle_encode_bound(); the
 * encoded length is stored in *dstlen. Runs follow the reference encoders
 * (pydicom, pylibjpeg-rle): every repeat of 2 or more bytes is a replicate run,
 * runs never cross a row, literal and replicate runs hold at most 128 bytes.
 */
rle_status rle_encode_frame(const uint8_t *src, size_t srclen, uint8_t *dst, size_t dstcap,
                            size_t *dstlen, size_t rows, size_t columns, int samples,
                            int bits_allocated, unsigned flags, rle_report *rep);

/* Human-readable message for a report (no frame index: the caller adds it). */
void rle_format_report(const rle_report *rep, char *buf, size_t buflen);

#ifdef __cplusplus
}
#endif

#endif /* DICODEC_RLE_CORE_H */
