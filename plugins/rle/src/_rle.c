/*
 * _rle.c - the CPython binding of rle_core (module dicodec_rle._rle).
 *
 * Both functions take any C-contiguous buffer (bytes, bytearray, memoryview,
 * numpy array) without copying it and release the GIL for the whole frame.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "rle_core.h"

static int as_size(PyObject *obj, const char *name, size_t *out)
{
    Py_ssize_t v = PyNumber_AsSsize_t(obj, PyExc_OverflowError);
    if (v == -1 && PyErr_Occurred())
        return -1;
    if (v <= 0) {
        PyErr_Format(PyExc_ValueError, "%s must be positive, not %zd", name, v);
        return -1;
    }
    *out = (size_t)v;
    return 0;
}

static int as_int(PyObject *obj, const char *name, int *out)
{
    long v = PyLong_AsLong(obj);
    if (v == -1 && PyErr_Occurred())
        return -1;
    if (v < 0 || v > 0xFFFF) {
        PyErr_Format(PyExc_ValueError, "%s %ld is out of range", name, v);
        return -1;
    }
    *out = (int)v;
    return 0;
}

static PyObject *raise_report(const rle_report *rep)
{
    char msg[512];
    rle_format_report(rep, msg, sizeof msg);
    if (rep->status == RLE_ERR_NOMEM)
        return PyErr_NoMemory();
    PyErr_SetString(PyExc_ValueError, msg);
    return NULL;
}

PyDoc_STRVAR(decode_into_doc,
             "decode_into(src, out, rows, columns, samples, bits_allocated, flags=0, /)\n--\n\n"
             "Decode one RLE Lossless frame from the buffer src into the writable,\n"
             "C-contiguous buffer out (interleaved samples, native byte order; for\n"
             "Bits Allocated 1 one byte 0/1 per sample). Raises ValueError naming the\n"
             "RLE segment on malformed data. The GIL is released while decoding.");

static PyObject *decode_into(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    Py_buffer src, out;
    size_t rows, columns;
    int samples, bits, flags = 0;
    rle_report rep;
    rle_status st;
    (void)self;
    if (nargs < 6 || nargs > 7) {
        PyErr_Format(PyExc_TypeError, "decode_into() takes 6 or 7 arguments (%zd given)", nargs);
        return NULL;
    }
    if (as_size(args[2], "rows", &rows) || as_size(args[3], "columns", &columns) ||
        as_int(args[4], "samples", &samples) || as_int(args[5], "bits_allocated", &bits) ||
        (nargs == 7 && as_int(args[6], "flags", &flags)))
        return NULL;
    if (PyObject_GetBuffer(args[0], &src, PyBUF_SIMPLE) < 0)
        return NULL;
    if (PyObject_GetBuffer(args[1], &out, PyBUF_WRITABLE) < 0) {
        PyBuffer_Release(&src);
        return NULL;
    }
    Py_BEGIN_ALLOW_THREADS
    st = rle_decode_frame((const uint8_t *)src.buf, (size_t)src.len, (uint8_t *)out.buf,
                          (size_t)out.len, rows, columns, samples, bits, (unsigned)flags, &rep);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&out);
    PyBuffer_Release(&src);
    if (st != RLE_OK)
        return raise_report(&rep);
    Py_RETURN_NONE;
}

PyDoc_STRVAR(encode_doc,
             "encode(src, rows, columns, samples, bits_allocated, flags=0, /)\n--\n\n"
             "Encode one frame (a C-contiguous buffer laid out as decode_into's output)\n"
             "and return the RLE Lossless frame as bytes. The GIL is released while\n"
             "encoding.");

static PyObject *encode(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    Py_buffer src;
    size_t rows, columns, bound, len = 0;
    int samples, bits, flags = 0;
    rle_report rep;
    rle_status st;
    PyObject *result;
    (void)self;
    if (nargs < 5 || nargs > 6) {
        PyErr_Format(PyExc_TypeError, "encode() takes 5 or 6 arguments (%zd given)", nargs);
        return NULL;
    }
    if (as_size(args[1], "rows", &rows) || as_size(args[2], "columns", &columns) ||
        as_int(args[3], "samples", &samples) || as_int(args[4], "bits_allocated", &bits) ||
        (nargs == 6 && as_int(args[5], "flags", &flags)))
        return NULL;
    bound = rle_encode_bound(rows, columns, samples, bits);
    if (bound == 0 || bound > (size_t)PY_SSIZE_T_MAX) {
        memset(&rep, 0, sizeof rep);
        rep.status = RLE_ERR_ARGS;
        rep.produced = (uint64_t)bits;
        rep.expected = (uint64_t)samples;
        return raise_report(&rep);
    }
    if (PyObject_GetBuffer(args[0], &src, PyBUF_SIMPLE) < 0)
        return NULL;
    result = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)bound);
    if (!result) {
        PyBuffer_Release(&src);
        return NULL;
    }
    Py_BEGIN_ALLOW_THREADS
    st = rle_encode_frame((const uint8_t *)src.buf, (size_t)src.len,
                          (uint8_t *)PyBytes_AS_STRING(result), bound, &len, rows, columns,
                          samples, bits, (unsigned)flags, &rep);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&src);
    if (st != RLE_OK) {
        Py_DECREF(result);
        return raise_report(&rep);
    }
    if (_PyBytes_Resize(&result, (Py_ssize_t)len) < 0)
        return NULL;
    return result;
}

PyDoc_STRVAR(decoded_size_doc,
             "decoded_size(rows, columns, samples, bits_allocated, /)\n--\n\n"
             "Bytes of one decoded frame, or 0 if RLE cannot hold such an image.");

static PyObject *decoded_size(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    size_t rows, columns;
    int samples, bits;
    (void)self;
    if (nargs != 4) {
        PyErr_Format(PyExc_TypeError, "decoded_size() takes 4 arguments (%zd given)", nargs);
        return NULL;
    }
    if (as_size(args[0], "rows", &rows) || as_size(args[1], "columns", &columns) ||
        as_int(args[2], "samples", &samples) || as_int(args[3], "bits_allocated", &bits))
        return NULL;
    return PyLong_FromSize_t(rle_decoded_size(rows, columns, samples, bits));
}

static PyMethodDef methods[] = {
    {"decode_into", (PyCFunction)(void (*)(void))decode_into, METH_FASTCALL, decode_into_doc},
    {"encode", (PyCFunction)(void (*)(void))encode, METH_FASTCALL, encode_doc},
    {"decoded_size", (PyCFunction)(void (*)(void))decoded_size, METH_FASTCALL, decoded_size_doc},
    {NULL, NULL, 0, NULL},
};

static int exec_module(PyObject *m)
{
    if (PyModule_AddIntConstant(m, "FLAG_LE_SEGMENTS", RLE_FLAG_LE_SEGMENTS) < 0 ||
        PyModule_AddIntConstant(m, "FLAG_LENIENT", RLE_FLAG_LENIENT) < 0 ||
        PyModule_AddIntConstant(m, "PAD_TOLERANCE", RLE_PAD_TOLERANCE) < 0 ||
        PyModule_AddIntConstant(m, "MAX_SEGMENTS", RLE_MAX_SEGMENTS) < 0)
        return -1;
    return 0;
}

static PyModuleDef_Slot slots[] = {
    {Py_mod_exec, (void *)exec_module},
#if PY_VERSION_HEX >= 0x030C0000
    {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
#endif
#if PY_VERSION_HEX >= 0x030D0000
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
#endif
    {0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    "dicodec_rle._rle",
    "DICOM RLE Lossless frame codec in C (see dicodec_rle.codec for the documented API).",
    0,
    methods,
    slots,
    NULL,
    NULL,
    NULL,
};

PyMODINIT_FUNC PyInit__rle(void)
{
    return PyModuleDef_Init(&module);
}
