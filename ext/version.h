/*
** version.h - the extension's version, returned by setter_version() and sent
** in the User-Agent header ("sqlite-setter/<version>").
*/
#ifndef SETTER_VERSION_H
#define SETTER_VERSION_H

#ifndef SETTER_VERSION /* tests build a second copy with another version */
#define SETTER_VERSION "0.1.0"
#endif

#endif /* SETTER_VERSION_H */
