/* SONAME libcrypto.so, depending on libcrypto.so.3: CivetWeb dlopen()s the unversioned name,
 * which otherwise only the -dev package provides. See exporter/civetweb_tls.hpp. */
int opswatch_libcrypto_shim(void);

int opswatch_libcrypto_shim(void) { return 3; }
