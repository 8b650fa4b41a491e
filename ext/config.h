/*
** config.h - per-connection settings, the setter_config() SQL function and
** the setter_settings table.
**
**   setter_config(name)          -> the current value (api_key masked)
**   setter_config(name, value)   -> sets it (NULL restores the default),
**                                   returns the new value as above
**   setter_config('cache', 'clear') -> empties the cross-statement cache,
**                                   returns how many entries it held
**
**   SELECT * FROM setter_settings;  -> name, value (api_key masked),
**                                   default_value, source ('default',
**                                   'environment', 'setter_config'), description
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

/* Defaults, then SETTER_* from the environment.  A refused value is kept
** as an error (setterSettingsError) and never fails the load; returns
** SQLITE_OK or SQLITE_NOMEM. */
int setterSettingsInit(SetterSettings *pSettings);
void setterSettingsClear(SetterSettings *pSettings);

/* Reads again each SETTER_* variable refused at load and not set since
** (the variable or the file it names may have been fixed); returns the
** error of the first still refused ("SETTER_TIMEOUT_MS: timeout_ms must
** be ..."), or NULL. */
const char *setterSettingsRetryEnvironment(SetterSettings *pSettings);

/* Registers setter_config() and setter_settings on db; each holds a
** reference to pConn. */
int setterConfigRegister(sqlite3 *db, SetterConn *pConn);

#endif /* SETTER_CONFIG_H */
