/*
 * tlcexample._fast: the same kernels as the ctypes path, but the lists are
 * converted in C and the GIL is released while libtlcexample.so computes.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdint.h>

#include "tlcexample/tlcexample.h"

/* Copy a sequence of numbers into a new array of doubles.  On failure a
 * Python exception is set and NULL is returned. */
static double *to_doubles(PyObject *seq, const char *what, Py_ssize_t *len)
{
	PyObject *fast = PySequence_Fast(seq, what);
	double *v = NULL;
	Py_ssize_t n;

	if (!fast)
		return NULL;
	n = PySequence_Fast_GET_SIZE(fast);
	v = PyMem_Malloc((size_t)(n ? n : 1) * sizeof(double));
	if (!v) {
		PyErr_NoMemory();
		goto out;
	}
	for (Py_ssize_t i = 0; i < n; i++) {
		v[i] = PyFloat_AsDouble(PySequence_Fast_GET_ITEM(fast, i));
		if (v[i] == -1.0 && PyErr_Occurred()) {
			PyMem_Free(v);
			v = NULL;
			goto out;
		}
	}
	*len = n;
out:
	Py_DECREF(fast);
	return v;
}

PyDoc_STRVAR(dot_doc,
"dot(a, b) -> float\n\n"
"Sum of a[i] * b[i] over two sequences of numbers of the same length.");

static PyObject *fast_dot(PyObject *self, PyObject *args)
{
	PyObject *a_obj, *b_obj, *result = NULL;
	double *a = NULL, *b = NULL, sum = 0.0;
	Py_ssize_t na = 0, nb = 0;
	int rc;

	(void)self;
	if (!PyArg_ParseTuple(args, "OO:dot", &a_obj, &b_obj))
		return NULL;
	a = to_doubles(a_obj, "dot: a must be a sequence of numbers", &na);
	if (!a)
		goto out;
	b = to_doubles(b_obj, "dot: b must be a sequence of numbers", &nb);
	if (!b)
		goto out;
	if (na != nb) {
		PyErr_Format(PyExc_ValueError,
			     "dot: length mismatch (%zd and %zd)", na, nb);
		goto out;
	}
	Py_BEGIN_ALLOW_THREADS
	rc = tlcexample_dot(a, b, (int64_t)na, &sum);
	Py_END_ALLOW_THREADS
	if (rc != 0) {
		PyErr_SetString(PyExc_RuntimeError, tlcexample_last_error());
		goto out;
	}
	result = PyFloat_FromDouble(sum);
out:
	PyMem_Free(a);
	PyMem_Free(b);
	return result;
}

PyDoc_STRVAR(built_for_doc,
"built_for() -> str\n\n"
"The Python version this module was compiled for, e.g. '3.11'.");

static PyObject *fast_built_for(PyObject *self, PyObject *unused)
{
	(void)self;
	(void)unused;
	return PyUnicode_FromFormat("%d.%d", PY_MAJOR_VERSION,
				    PY_MINOR_VERSION);
}

static PyMethodDef fast_methods[] = {
	{"dot", fast_dot, METH_VARARGS, dot_doc},
	{"built_for", fast_built_for, METH_NOARGS, built_for_doc},
	{NULL, NULL, 0, NULL},
};

static struct PyModuleDef fast_module = {
	PyModuleDef_HEAD_INIT,
	.m_name = "tlcexample._fast",
	.m_doc = "C extension half of the tlcpack example.",
	.m_size = 0,
	.m_methods = fast_methods,
};

/* The build hides every symbol; before Python 3.9 PyMODINIT_FUNC does not
 * mark the init function visible, so say it here. */
__attribute__((visibility("default"))) PyMODINIT_FUNC PyInit__fast(void)
{
	return PyModuleDef_Init(&fast_module);
}
