/*
** config.h - per-connection settings and the setter_config() SQL function.
**
**   setter_config(name)          -> the current value (api_key masked)
**   setter_config(name, value)   -> sets it (NULL restores the default),
**                                   returns the new value as above
**   setter_config('cache', 'clear') -> empties the cross-statement cache,
**                                   returns how many entries it held
**
** At load every setting is read from the environment as SETTER_<NAME>
** (SETTER_API_KEY, SETTER_BASE_URL, ...).  setter_config is registered
** SQLITE_DIRECTONLY, so a view or trigger in a database file can never call
** it: only SQL the user runs directly can change where the key goes.
*/
#ifndef SETTER_CONFIG_H
#define SETTER_CONFIG_H

#include "connection.h"

#define SETTER_DEFAULT_BASE_URL "https://chat.trysetter.com"

/* Defaults, then SETTER_* from the environment.  On a bad value returns
** SQLITE_ERROR with *pzErr (sqlite3_malloc'd) naming the variable. */
int setterSettingsInit(SetterSettings *pSettings, char **pzErr);
void setterSettingsClear(SetterSettings *pSettings);

/* Registers setter_config() on db with pConn as its state. */
int setterConfigRegister(sqlite3 *db, SetterConn *pConn);

#endif /* SETTER_CONFIG_H */
