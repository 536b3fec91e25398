/*
 * cove-flock.node: flock(2) for the engine's store locks, as a Node-API
 * addon (ABI-stable across Node and Electron). Node has no flock, so without
 * this every lock is a fork+exec of flock(1); with it an uncontended lock is
 * one system call, and only a contended one falls back to flock(1), which
 * waits in the kernel with a timeout (app/engine/store/lock.ts).
 */
#include <errno.h>
#include <node_api.h>
#include <sys/file.h>

/* tryLock(fd): 0 when the exclusive lock is taken, else the errno
 * (EWOULDBLOCK when another open file description holds it; flock(2)). */
static napi_value try_lock(napi_env env, napi_callback_info info)
{
	size_t argc = 1;
	napi_value argv[1];
	int32_t fd = -1;
	napi_value out;
	if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
	    napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0) {
		napi_throw_type_error(env, NULL, "tryLock(fd) needs a file descriptor");
		return NULL;
	}
	int r;
	do
		r = flock(fd, LOCK_EX | LOCK_NB);
	while (r < 0 && errno == EINTR);
	if (napi_create_int32(env, r == 0 ? 0 : errno, &out) != napi_ok)
		return NULL;
	return out;
}

NAPI_MODULE_INIT()
{
	napi_value fn;
	if (napi_create_function(env, "tryLock", NAPI_AUTO_LENGTH, try_lock, NULL, &fn) != napi_ok ||
	    napi_set_named_property(env, exports, "tryLock", fn) != napi_ok)
		return NULL;
	return exports;
}
