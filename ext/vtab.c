/*
** vtab.c - the setter_conversations virtual table: constraints -> lookups
** -> one row per message.
**
**   SELECT * FROM setter_conversations
**    WHERE bot_integration_id = 123 AND user_number = '1234567890';
**   SELECT * FROM setter_conversations(123, '1234567890');
**   SELECT * FROM setter_conversations WHERE bot_integration_id = 5 AND session_id = 42;
**   ... AND user_number IN (SELECT phone FROM leads)     -- fetched in parallel
**
** Eponymous only (no xCreate) and read-only.  The three hidden columns are
** the inputs: a lookup needs bot_integration_id and exactly one of
** user_number or session_id, each given with = (or IS) or IN.  xFilter
** turns the constraints into a list of distinct lookups (lookup.c), has
** resolve.c answer them (caches, then a parallel fetch, then the parser),
** and only then returns rows: one xFilter sees all of its lookups or an
** error, never part of them.
**
** Settings come only from the environment and from setter_config() called
** directly; neither a statement nor a database file's schema can configure
** this table.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "config.h"
#include "connection.h"
#include "lookup.h"
#include "resolve.h"
#include "sanitize.h"
#include "scope.h"
#include "timestamp.h"
#include "vtab.h"

/* Columns, in declaration order: the inputs, the message fields of rows.h
** (COLUMN_MESSAGE_ID ...), then the columns below.  A column that is no
** message member is one line in TRAILING_COLUMNS and its case in
** setterColumn. */
#define INPUT_COLUMNS(X)                                     \
  X(BOT_INTEGRATION_ID, "bot_integration_id INTEGER HIDDEN") \
  X(USER_NUMBER, "user_number TEXT HIDDEN")                  \
  X(SESSION_ID, "session_id INTEGER HIDDEN")
#define TRAILING_COLUMNS(X)                      \
  X(CONTEXT_STARTS_AT, "context_starts_at TEXT") \
  X(IN_CONTEXT, "in_context INTEGER")            \
  X(RAW_JSON, "raw_json TEXT HIDDEN")            \
  X(LOOKUP_ERROR, "lookup_error TEXT HIDDEN")

#define COLUMN_ENUM(C, zDecl) COLUMN_##C,
#define FIELD_COLUMN_ENUM(F, zSql, zType, zJson, K) COLUMN_##F,
enum {
  INPUT_COLUMNS(COLUMN_ENUM) SETTER_MESSAGE_FIELDS(FIELD_COLUMN_ENUM) TRAILING_COLUMNS(COLUMN_ENUM)
      N_COLUMN
};
#undef COLUMN_ENUM
#undef FIELD_COLUMN_ENUM
#define N_INPUT_COLUMN COLUMN_MESSAGE_ID
_Static_assert(N_COLUMN < 64, "colUsed has one bit per column below 63");
/* The column of message field f (f < SETTER_N_MESSAGE_FIELD). */
#define COLUMN_OF_FIELD(f) (N_INPUT_COLUMN + (f))

#define COLUMN_DECL(C, zDecl) " " zDecl ","
#define FIELD_COLUMN_DECL(F, zSql, zType, zJson, K) " " zSql " " zType ","
/* The declaration; the last comma becomes the closing parenthesis. */
static const char zSchemaDecl[] = "CREATE TABLE x(" INPUT_COLUMNS(COLUMN_DECL)
    SETTER_MESSAGE_FIELDS(FIELD_COLUMN_DECL) TRAILING_COLUMNS(COLUMN_DECL);
#undef COLUMN_DECL
#undef FIELD_COLUMN_DECL

#define ROWS_PER_LOOKUP_ESTIMATE 25
#define COST_PER_LOOKUP 1000.0
#define COST_WITHOUT_KEYS 1e18

static const char *const azInputColumn[N_INPUT_COLUMN] = {"bot_integration_id", "user_number",
                                                          "session_id"};

typedef struct SetterVtab {
  sqlite3_vtab base;
  SetterConn *pConn;
} SetterVtab;

typedef struct SetterCursor {
  sqlite3_vtab_cursor base;
  SetterScope *pScope;  /* the statement scope and its cache (scope.c) */
  SetterScope **apHeld; /* scopes held from xOpen to the first xFilter */
  int nHeld;
  SetterInputs bots, whos;  /* the distinct inputs of the last xFilter */
  SetterLookupList lookups; /* bots x whos */
  int iLookup;              /* current lookup */
  int iGiven;               /* its rows under user_number as given in aGiven[iGiven] */
  sqlite3_int64 iRow;       /* current row of lookups.a[iLookup] */
  sqlite3_int64 iRowid;
  unsigned int mask; /* fields to extract: what the statement reads */
} SetterCursor;

/* ---- errors ---- */

/* Sets the statement's error to SETTER_ERROR_PREFIX + zMsg (takes zMsg),
** with the API key, should it appear, replaced by "****". */
static int setError(SetterVtab *pVtab, char *zMsg) {
  char *zFull = zMsg ? sqlite3_mprintf(SETTER_ERROR_PREFIX "%s", zMsg) : NULL;
  sqlite3_free(zMsg);
  sqlite3_free(pVtab->base.zErrMsg);
  pVtab->base.zErrMsg = NULL;
  if (zFull == NULL) return SQLITE_NOMEM;
  pVtab->base.zErrMsg =
      setterSanitize(zFull, strlen(zFull), strlen(zFull), pVtab->pConn->settings.zApiKey);
  sqlite3_free(zFull);
  return pVtab->base.zErrMsg ? SQLITE_ERROR : SQLITE_NOMEM;
}

/* ---- xConnect ---- */

/* Declares the columns: zSchemaDecl with its last comma as ')'. */
static int declareSchema(sqlite3 *db) {
  char zSchema[sizeof zSchemaDecl];
  memcpy(zSchema, zSchemaDecl, sizeof zSchemaDecl);
  zSchema[sizeof zSchemaDecl - 2] = ')';
  return sqlite3_declare_vtab(db, zSchema);
}

static int setterConnect(sqlite3 *db, void *pAux, int argc, const char *const *argv,
                         sqlite3_vtab **ppVtab, char **pzErr) {
  SetterVtab *pVtab;
  int rc;
  (void)argv;
  if (argc > 3) {
    /* a CREATE VIRTUAL TABLE with arguments in some database file */
    *pzErr = sqlite3_mprintf(SETTER_ERROR_PREFIX
                             "takes no arguments: settings come from the "
                             "SETTER_* environment or setter_config()");
    return SQLITE_ERROR;
  }
  rc = declareSchema(db);
  if (rc != SQLITE_OK) return rc;
  pVtab = sqlite3_malloc(sizeof(*pVtab));
  if (pVtab == NULL) return SQLITE_NOMEM;
  memset(pVtab, 0, sizeof(*pVtab));
  pVtab->pConn = pAux;
  *ppVtab = &pVtab->base;
  return SQLITE_OK;
}

static int setterDisconnect(sqlite3_vtab *pVtab) {
  sqlite3_free(pVtab);
  return SQLITE_OK;
}

/* ---- xBestIndex ---- */

/*
** idxNum bits, set by setterBestIndex and read by setterFilter:
**   IDX_BOT, IDX_USER, IDX_SESSION   that input has a usable = (or IS) or IN
**   IDX_BOT_IN, ...                  its argument is a whole IN list
**                                    (sqlite3_vtab_in_first/next)
**   IDX_UNRUNNABLE                   a required input is missing or given
**                                    with an operator the API cannot answer:
**                                    idxStr is the error xFilter reports
**   IDX_TRIGGER                      the reference is in a trigger program
**                                    (scope.c keeps its scope between runs)
**   bits IDX_FIELD_SHIFT and up      the SETTER_FIELD_BIT()s this reference reads
** argv holds the inputs present, in the order bot, user, session.  idxStr
** is always allocated: for a runnable plan it names the inputs for EXPLAIN
** QUERY PLAN ("bot_integration_id= user_number IN"), else it is the error;
** after its 0 terminator come 16 hex digits, the 64-bit id of the statement
** being prepared (scope.c: which statement cache serves it; 0 if unknown).
** SQLite hands idxStr to xFilter as the same pointer and prints it with %s,
** so the id travels with the plan and stays out of the query plan's text.
*/
#define IDX_BOT 0x01
#define IDX_USER 0x02
#define IDX_SESSION 0x04
#define IDX_BOT_IN 0x08
#define IDX_USER_IN 0x10
#define IDX_SESSION_IN 0x20
#define IDX_UNRUNNABLE 0x40
#define IDX_TRIGGER 0x80
#define IDX_FIELD_SHIFT 8
_Static_assert(IDX_FIELD_SHIFT + SETTER_FIELD_COUNT <= 31, "idxNum bits overlap");
#define IDX_ID_DIGITS 16

/* idxStr: zText, a 0 byte, then the statement id (sqlite3_malloc'd; takes
** zText).  NULL if out of memory. */
static char *planString(char *zText, sqlite3_uint64 statementId) {
  size_t n;
  char *z;
  if (zText == NULL) return NULL;
  n = strlen(zText);
  z = sqlite3_malloc64(n + 1 + IDX_ID_DIGITS + 1);
  if (z) {
    memcpy(z, zText, n + 1);
    snprintf(z + n + 1, IDX_ID_DIGITS + 1, "%016llx", (unsigned long long)statementId);
  }
  sqlite3_free(zText);
  return z;
}

/* The statement id that planString() put after idxStr's text. */
static sqlite3_uint64 planStatementId(const char *idxStr) {
  return idxStr ? (sqlite3_uint64)strtoull(idxStr + strlen(idxStr) + 1, NULL, 16) : 0;
}

/* Fields to extract for the columns in colUsed. */
static unsigned int fieldsForColumns(sqlite3_uint64 colUsed) {
  unsigned int mask = 0;
  int f;
  for (f = 0; f < SETTER_N_MESSAGE_FIELD; f++) {
    if (colUsed & ((sqlite3_uint64)1 << COLUMN_OF_FIELD(f))) mask |= SETTER_FIELD_BIT(f);
  }
  if (colUsed & ((sqlite3_uint64)1 << COLUMN_IN_CONTEXT))
    mask |= SETTER_FIELD_BIT(SETTER_FIELD_CREATED_AT);
  if (colUsed & ((sqlite3_uint64)1 << COLUMN_RAW_JSON))
    mask |= SETTER_FIELD_BIT(SETTER_FIELD_RAW_JSON);
  return mask;
}

/* The SQL spelling of a constraint operator the API cannot answer. */
static const char *operatorName(unsigned char op) {
  switch (op) {
    case SQLITE_INDEX_CONSTRAINT_GT:
      return ">";
    case SQLITE_INDEX_CONSTRAINT_LE:
      return "<=";
    case SQLITE_INDEX_CONSTRAINT_LT:
      return "<";
    case SQLITE_INDEX_CONSTRAINT_GE:
      return ">=";
    case SQLITE_INDEX_CONSTRAINT_MATCH:
      return "MATCH";
    case SQLITE_INDEX_CONSTRAINT_LIKE:
      return "LIKE";
    case SQLITE_INDEX_CONSTRAINT_GLOB:
      return "GLOB";
    case SQLITE_INDEX_CONSTRAINT_REGEXP:
      return "REGEXP";
    case SQLITE_INDEX_CONSTRAINT_NE:
      return "!=";
    case SQLITE_INDEX_CONSTRAINT_ISNOT:
      return "IS NOT";
    case SQLITE_INDEX_CONSTRAINT_ISNOTNULL:
      return "IS NOT NULL";
    case SQLITE_INDEX_CONSTRAINT_ISNULL:
      return "IS NULL";
    default:
      return op >= SQLITE_INDEX_CONSTRAINT_FUNCTION ? "in a function" : "with this operator";
  }
}

/* What xBestIndex learnt about one input column. */
typedef struct InputConstraints {
  int iUsable;     /* a usable = / IS constraint, or -1 */
  int bUnusable;   /* an = / IS constraint this plan cannot use */
  const char *zOp; /* an operator the API cannot answer, or NULL */
} InputConstraints;

/* The error of a plan that lacks a required input (sqlite3_malloc'd). */
static char *missingInputError(const InputConstraints *aIn, sqlite3_uint64 colUsed) {
  int iCol;
  for (iCol = 0; iCol < N_INPUT_COLUMN; iCol++) {
    if (aIn[iCol].iUsable < 0 && aIn[iCol].zOp) {
      return sqlite3_mprintf("%s %s cannot be sent to the API: use = or IN", azInputColumn[iCol],
                             aIn[iCol].zOp);
    }
  }
  for (iCol = 0; iCol < N_INPUT_COLUMN; iCol++) {
    if (aIn[iCol].iUsable < 0 && aIn[iCol].bUnusable) {
      return sqlite3_mprintf(
          "%s comes from a table that this join reads after setter_conversations (each side "
          "waiting for the other, or a RIGHT or CROSS JOIN): name the table that gives it first, "
          "or use %s IN (SELECT ...)",
          azInputColumn[iCol], azInputColumn[iCol]);
    }
  }
  if (aIn[0].iUsable < 0) {
    return sqlite3_mprintf(
        "bot_integration_id is required: add WHERE bot_integration_id = <id> AND user_number = "
        "'<number>' (or session_id = <id>), or use setter_conversations(<id>, '<number>')%s",
        (colUsed & 1u) ? "; a function of it, or a join condition applied after this table "
                         "(RIGHT or CROSS JOIN), cannot be sent to the API"
                       : "");
  }
  if (colUsed & ((1u << COLUMN_USER_NUMBER) | (1u << COLUMN_SESSION_ID))) {
    return sqlite3_mprintf(
        "user_number or session_id is required: add AND user_number = '<number>' "
        "(WhatsApp, SMS) or AND session_id = <id> (Playground, Embed); a function of them, "
        "such as trim(user_number) = '...', or a join condition applied after this table "
        "(RIGHT or CROSS JOIN), cannot be sent to the API");
  }
  return sqlite3_mprintf(
      "user_number or session_id is required: add AND user_number = '<number>' "
      "(WhatsApp, SMS) or AND session_id = <id> (Playground, Embed)");
}

static int setterBestIndex(sqlite3_vtab *pVtab, sqlite3_index_info *pInfo) {
  SetterConn *pConn = ((SetterVtab *)pVtab)->pConn;
  InputConstraints aIn[N_INPUT_COLUMN];
  unsigned int fields = fieldsForColumns(pInfo->colUsed);
  int idxNum = 0, iArg = 0, i, iCol;
  char *zPlan = NULL;

  int bTrigger = 0;
  sqlite3_uint64 statementId = setterScopeNoteFields(pConn, fields, &bTrigger);
  int bAnyUsable = 0, bOperatorOnly = 0;
  for (iCol = 0; iCol < N_INPUT_COLUMN; iCol++) {
    aIn[iCol].iUsable = -1;
    aIn[iCol].bUnusable = 0;
    aIn[iCol].zOp = NULL;
  }
  for (i = 0; i < pInfo->nConstraint; i++) {
    const struct sqlite3_index_constraint *pCons = &pInfo->aConstraint[i];
    InputConstraints *p;
    if (pCons->iColumn < 0 || pCons->iColumn >= N_INPUT_COLUMN) continue;
    p = &aIn[pCons->iColumn];
    if (pCons->op == SQLITE_INDEX_CONSTRAINT_EQ || pCons->op == SQLITE_INDEX_CONSTRAINT_IS) {
      if (!pCons->usable) {
        p->bUnusable = 1;
      } else if (p->iUsable < 0) {
        p->iUsable = i;
      }
    } else if (p->zOp == NULL) {
      p->zOp = operatorName(pCons->op);
    }
  }

  for (iCol = 0; iCol < N_INPUT_COLUMN; iCol++) {
    bAnyUsable |= aIn[iCol].iUsable >= 0;
    /* an operator the API cannot answer, on an input without a usable =:
    ** an error, even on an input this lookup does not need */
    bOperatorOnly |= aIn[iCol].zOp != NULL && aIn[iCol].iUsable < 0 && !aIn[iCol].bUnusable;
  }
  if (!bOperatorOnly && aIn[0].iUsable >= 0 && (aIn[1].iUsable >= 0 || aIn[2].iUsable >= 0)) {
    for (iCol = 0; iCol < N_INPUT_COLUMN; iCol++) {
      int iCons = aIn[iCol].iUsable;
      if (iCons < 0) continue;
      idxNum |= IDX_BOT << iCol;
      pInfo->aConstraintUsage[iCons].argvIndex = ++iArg;
      pInfo->aConstraintUsage[iCons].omit = 1;
      if (pInfo->aConstraint[iCons].op == SQLITE_INDEX_CONSTRAINT_EQ &&
          setterVtabIn(pInfo, iCons, -1)) {
        setterVtabIn(pInfo, iCons, 1);
        idxNum |= IDX_BOT_IN << iCol;
      }
      /* For EXPLAIN QUERY PLAN: "bot_integration_id= user_number IN" */
      zPlan = sqlite3_mprintf("%z%s%s%s", zPlan, zPlan ? " " : "", azInputColumn[iCol],
                              (idxNum & (IDX_BOT_IN << iCol)) ? " IN" : "=");
      if (zPlan == NULL) return SQLITE_NOMEM;
    }
    pInfo->estimatedCost = COST_PER_LOOKUP;
    pInfo->estimatedRows = ROWS_PER_LOOKUP_ESTIMATE;
  } else if (bAnyUsable && !bOperatorOnly &&
             ((aIn[0].iUsable < 0 && aIn[0].bUnusable) ||
              (aIn[1].iUsable < 0 && aIn[2].iUsable < 0 &&
               (aIn[1].bUnusable || aIn[2].bUnusable)))) {
    /* A key is given but not usable in this order of the join: the planner
    ** must pick an order that supplies it. */
    return SQLITE_CONSTRAINT;
  } else {
    /* A key is missing altogether, or nothing is usable in this order (a
    ** plan SQLite always asks for: SQLITE_CONSTRAINT here too could leave
    ** it no plan at all, "no query solution").  Give this plan a huge cost,
    ** so that any plan that supplies the keys wins; if it is the only plan,
    ** xFilter reports what is missing (idxStr), also shown by EXPLAIN QUERY
    ** PLAN. */
    zPlan = missingInputError(aIn, pInfo->colUsed);
    if (zPlan == NULL) return SQLITE_NOMEM;
    idxNum = IDX_UNRUNNABLE;
    pInfo->estimatedCost = COST_WITHOUT_KEYS;
    pInfo->estimatedRows = 2147483647;
  }
  pInfo->idxStr = planString(zPlan, statementId);
  if (pInfo->idxStr == NULL) return SQLITE_NOMEM;
  pInfo->needToFreeIdxStr = 1;
  pInfo->idxNum = idxNum | (bTrigger ? IDX_TRIGGER : 0) | (int)(fields << IDX_FIELD_SHIFT);
  return SQLITE_OK;
}

/* ---- cursor ---- */

/* A cursor joins its statement's scope (scope.c) at its first xFilter,
** where the plan tells which statement it serves. */
static int setterOpen(sqlite3_vtab *pVtab, sqlite3_vtab_cursor **ppCursor) {
  SetterCursor *pCur = sqlite3_malloc(sizeof(*pCur));
  if (pCur == NULL) return SQLITE_NOMEM;
  memset(pCur, 0, sizeof(*pCur));
  if (setterScopeHoldAll(((SetterVtab *)pVtab)->pConn, &pCur->apHeld, &pCur->nHeld)) {
    sqlite3_free(pCur);
    return SQLITE_NOMEM;
  }
  *ppCursor = &pCur->base;
  return SQLITE_OK;
}

static void clearLookups(SetterCursor *pCur) {
  setterLookupsClear(&pCur->lookups);
  setterInputsClear(&pCur->bots);
  setterInputsClear(&pCur->whos);
  pCur->iLookup = 0;
  pCur->iGiven = 0;
  pCur->iRow = 0;
}

static int setterClose(sqlite3_vtab_cursor *pCursor) {
  SetterCursor *pCur = (SetterCursor *)pCursor;
  SetterConn *pConn = ((SetterVtab *)pCursor->pVtab)->pConn;
  clearLookups(pCur);
  setterScopeRelease(pConn, pCur->pScope);
  setterScopeReleaseHeld(pConn, pCur->apHeld, pCur->nHeld);
  sqlite3_free(pCur);
  return SQLITE_OK;
}

/* ---- input values ---- */

/* A list of input values: one argument, or a whole IN list.  IN values
** are copies (sqlite3_vtab_in_next reuses its value object). */
typedef struct InputList {
  sqlite3_value **apValue;
  int nValue;
  int bOwned; /* the values are copies to free */
} InputList;

static int allBlank(const InputList *pList) {
  int i;
  for (i = 0; i < pList->nValue; i++) {
    if (!setterInputIsBlank(pList->apValue[i])) return 0;
  }
  return 1;
}

static void freeInputs(InputList *pList) {
  int i;
  for (i = 0; pList->bOwned && i < pList->nValue; i++) sqlite3_value_free(pList->apValue[i]);
  sqlite3_free(pList->apValue);
  pList->apValue = NULL;
  pList->nValue = 0;
}

static int collectInputs(sqlite3_value *pArg, int bIn, InputList *pList) {
  sqlite3_value *pVal = NULL;
  int nAlloc = 1, rc;
  pList->nValue = 0;
  pList->bOwned = bIn;
  pList->apValue = sqlite3_malloc(sizeof(sqlite3_value *));
  if (pList->apValue == NULL) return SQLITE_NOMEM;
  if (!bIn) {
    pList->apValue[pList->nValue++] = pArg;
    return SQLITE_OK;
  }
  for (rc = setterVtabInFirst(pArg, &pVal); rc == SQLITE_OK && pVal;
       rc = setterVtabInNext(pArg, &pVal)) {
    if (pList->nValue == nAlloc) {
      sqlite3_value **apNew;
      nAlloc *= 2;
      apNew = sqlite3_realloc64(pList->apValue, (sqlite3_uint64)nAlloc * sizeof(pVal));
      if (apNew == NULL) return SQLITE_NOMEM;
      pList->apValue = apNew;
    }
    pList->apValue[pList->nValue] = sqlite3_value_dup(pVal);
    if (pList->apValue[pList->nValue] == NULL) return SQLITE_NOMEM;
    pList->nValue++;
  }
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* ---- xFilter ---- */

/* How many times a lookup's rows are returned: once under each type its
** user_number was given in (lookup.h), else once. */
static int copiesOf(const SetterLookup *p) {
  return p->bSession || p->pWho->nGiven < 1 ? 1 : p->pWho->nGiven;
}

/* Moves to the first row at or after (iLookup, iGiven, iRow). */
static void skipEmptyLookups(SetterCursor *pCur) {
  while (pCur->iLookup < pCur->lookups.n) {
    const SetterLookup *p = &pCur->lookups.a[pCur->iLookup];
    if (p->pRows && pCur->iRow < p->pRows->nRow) break;
    pCur->iRow = 0;
    if (p->pRows && p->pRows->nRow > 0 && pCur->iGiven + 1 < copiesOf(p)) {
      pCur->iGiven++;
    } else {
      pCur->iLookup++;
      pCur->iGiven = 0;
    }
  }
}

/* Validates the inputs, bounds their number and builds the lookups. */
static int buildLookups(SetterVtab *pVtab, SetterCursor *pCur, const InputList *pBots,
                        const InputList *pWhos, int eWhoKind) {
  SetterConn *pConn = pVtab->pConn;
  char *zErr = NULL;
  sqlite3_uint64 nLookups;
  int rc = setterInputsRead(&pCur->bots, pBots->apValue, pBots->nValue, SETTER_INPUT_BOT, &zErr);
  if (rc == SQLITE_OK) {
    rc = setterInputsRead(&pCur->whos, pWhos->apValue, pWhos->nValue, eWhoKind, &zErr);
  }
  if (rc == SQLITE_ERROR) return setError(pVtab, zErr);
  if (rc != SQLITE_OK) return rc;
  nLookups = (sqlite3_uint64)pCur->bots.n * (sqlite3_uint64)pCur->whos.n;
  if (nLookups == 0) return SQLITE_OK; /* only blank inputs: nothing matches */
  if (nLookups > (sqlite3_uint64)pConn->settings.maxLookups) {
    return setError(pVtab,
                    sqlite3_mprintf("%llu lookups (%d bot_integration_id x %d %s) is more than "
                                    "max_lookups (%lld); raise it with "
                                    "SELECT setter_config('max_lookups', ...)",
                                    nLookups, pCur->bots.n, pCur->whos.n, azInputColumn[eWhoKind],
                                    (long long)pConn->settings.maxLookups));
  }
  if (pConn->settings.zApiKey == NULL) {
    return setError(pVtab,
                    sqlite3_mprintf("no API key: set the SETTER_API_KEY environment "
                                    "variable, or run SELECT setter_config('api_key', '...')"));
  }
  return setterLookupsBuild(&pCur->lookups, pConn->settings.zBaseUrl, &pCur->bots, &pCur->whos);
}

static int setterFilter(sqlite3_vtab_cursor *pCursor, int idxNum, const char *idxStr, int argc,
                        sqlite3_value **argv) {
  SetterCursor *pCur = (SetterCursor *)pCursor;
  SetterVtab *pVtab = (SetterVtab *)pCursor->pVtab;
  SetterConn *pConn = pVtab->pConn;
  InputList bots = {NULL, 0, 0}, users = {NULL, 0, 0}, sessions = {NULL, 0, 0};
  const char *zSettingError = setterSettingsRetryEnvironment(&pConn->settings);
  sqlite3_uint64 statementId;
  int iArg = 0, rc;
  (void)argc;

  clearLookups(pCur);
  if (idxNum & IDX_UNRUNNABLE) return setError(pVtab, sqlite3_mprintf("%s", idxStr));
  if (zSettingError) return setError(pVtab, sqlite3_mprintf("%s", zSettingError));
  statementId = planStatementId(idxStr);
  if (pCur->pScope == NULL || setterScopeId(pCur->pScope) != statementId) {
    setterScopeRelease(pConn, pCur->pScope);
    pCur->pScope = setterScopeAcquire(pConn, statementId, (idxNum & IDX_TRIGGER) != 0);
    setterScopeReleaseHeld(pConn, pCur->apHeld, pCur->nHeld);
    pCur->apHeld = NULL;
    pCur->nHeld = 0;
    if (pCur->pScope == NULL) return SQLITE_NOMEM;
  }
  pCur->mask = (((unsigned int)idxNum >> IDX_FIELD_SHIFT) | setterScopeMask(pCur->pScope)) &
               SETTER_FIELD_ALL;
  rc = collectInputs(argv[iArg++], (idxNum & IDX_BOT_IN) != 0, &bots);
  if (rc == SQLITE_OK && (idxNum & IDX_USER)) {
    rc = collectInputs(argv[iArg++], (idxNum & IDX_USER_IN) != 0, &users);
  }
  if (rc == SQLITE_OK && (idxNum & IDX_SESSION)) {
    rc = collectInputs(argv[iArg++], (idxNum & IDX_SESSION_IN) != 0, &sessions);
  }
  if (rc == SQLITE_OK) {
    /* Both contacts given: an error, unless one is blank (then nothing
    ** matches: a blank input matches nothing). */
    int bUsers = (idxNum & IDX_USER) != 0, bSessions = (idxNum & IDX_SESSION) != 0;
    if (bUsers && bSessions && !allBlank(&users) && !allBlank(&sessions)) {
      rc = setError(pVtab, sqlite3_mprintf("give user_number or session_id, not both"));
    } else if (!(bUsers && bSessions && (allBlank(&users) || allBlank(&sessions)))) {
      rc = bUsers ? buildLookups(pVtab, pCur, &bots, &users, SETTER_INPUT_USER)
                  : buildLookups(pVtab, pCur, &bots, &sessions, SETTER_INPUT_SESSION);
    }
  }
  freeInputs(&bots);
  freeInputs(&users);
  freeInputs(&sessions);
  if (rc == SQLITE_OK) {
    char *zErr = NULL;
    rc = setterResolve(pConn, pCur->pScope, &pCur->lookups, pCur->mask, &zErr);
    if (rc == SQLITE_ERROR) rc = setError(pVtab, zErr);
  }
  if (rc != SQLITE_OK) {
    clearLookups(pCur);
    return rc;
  }
  skipEmptyLookups(pCur);
  return SQLITE_OK;
}

static int setterNext(sqlite3_vtab_cursor *pCursor) {
  SetterCursor *pCur = (SetterCursor *)pCursor;
  pCur->iRow++;
  pCur->iRowid++;
  skipEmptyLookups(pCur);
  return SQLITE_OK;
}

static int setterEof(sqlite3_vtab_cursor *pCursor) {
  SetterCursor *pCur = (SetterCursor *)pCursor;
  return pCur->iLookup >= pCur->lookups.n;
}

/* A text cell of any length: SQLite's own length limit answers
** SQLITE_TOOBIG ("string or blob too big"); nothing is ever cut. */
static void resultText(sqlite3_context *ctx, const char *z, sqlite3_uint64 n) {
  sqlite3_result_text64(ctx, z, n, SQLITE_TRANSIENT, SQLITE_UTF8);
}

static void resultCell(sqlite3_context *ctx, const SetterValue *pCell) {
  if (pCell == NULL || pCell->type == SETTER_NULL) return;
  if (pCell->type == SETTER_INTEGER) {
    sqlite3_result_int64(ctx, pCell->u.i);
  } else {
    resultText(ctx, pCell->u.z, pCell->n);
  }
}

/* 1 when the message was created at or after contextStartsAt, 0 before;
** NULL when either is missing or not a timestamp (timestamp.h). */
static void resultInContext(sqlite3_context *ctx, const SetterRows *pRows, sqlite3_int64 iRow) {
  const SetterValue *pCreated = setterRowsCell(pRows, iRow, SETTER_FIELD_CREATED_AT);
  int c;
  if (pRows->zContextStartsAt == NULL || pCreated == NULL || pCreated->type != SETTER_TEXT) return;
  if (setterTimestampCompare(pCreated->u.z, pCreated->n, pRows->zContextStartsAt,
                             pRows->nContextStartsAt, &c) == 0) {
    sqlite3_result_int(ctx, c >= 0);
  }
}

static int setterColumn(sqlite3_vtab_cursor *pCursor, sqlite3_context *ctx, int iCol) {
  SetterCursor *pCur = (SetterCursor *)pCursor;
  const SetterLookup *p = &pCur->lookups.a[pCur->iLookup];
  switch (iCol) {
    case COLUMN_BOT_INTEGRATION_ID:
      sqlite3_result_int64(ctx, p->pBot->iId);
      break;
    case COLUMN_USER_NUMBER:
      if (p->bSession) break;
      if (p->pWho->aGiven[pCur->iGiven] == SQLITE_INTEGER) {
        sqlite3_result_int64(ctx, p->pWho->iId);
      } else {
        resultText(ctx, p->pWho->zText, (sqlite3_uint64)p->pWho->nText);
      }
      break;
    case COLUMN_SESSION_ID:
      if (p->bSession) sqlite3_result_int64(ctx, p->pWho->iId);
      break;
    case COLUMN_CONTEXT_STARTS_AT:
      if (p->pRows->zContextStartsAt) {
        resultText(ctx, p->pRows->zContextStartsAt, p->pRows->nContextStartsAt);
      }
      break;
    case COLUMN_IN_CONTEXT:
      resultInContext(ctx, p->pRows, pCur->iRow);
      break;
    case COLUMN_RAW_JSON:
      resultCell(ctx, setterRowsCell(p->pRows, pCur->iRow, SETTER_FIELD_RAW_JSON));
      break;
    case COLUMN_LOOKUP_ERROR: /* on_error 'row': the error of a failed lookup */
      if (p->pRows->zLookupError) {
        resultText(ctx, p->pRows->zLookupError, strlen(p->pRows->zLookupError));
      }
      break;
    default:
      resultCell(ctx, setterRowsCell(p->pRows, pCur->iRow, iCol - N_INPUT_COLUMN));
      break;
  }
  return SQLITE_OK;
}

static int setterRowid(sqlite3_vtab_cursor *pCursor, sqlite3_int64 *pRowid) {
  *pRowid = ((SetterCursor *)pCursor)->iRowid;
  return SQLITE_OK;
}

static sqlite3_module setterModule = {
    0,                /* iVersion */
    0,                /* xCreate: none, so the table is eponymous only */
    setterConnect,    /* xConnect: refuses arguments */
    setterBestIndex,  /* xBestIndex */
    setterDisconnect, /* xDisconnect */
    0,                /* xDestroy */
    setterOpen,       /* xOpen */
    setterClose,      /* xClose */
    setterFilter,     /* xFilter */
    setterNext,       /* xNext */
    setterEof,        /* xEof */
    setterColumn,     /* xColumn */
    setterRowid,      /* xRowid */
    0,                /* xUpdate: read-only */
    0,                /* xBegin */
    0,                /* xSync */
    0,                /* xCommit */
    0,                /* xRollback */
    0,                /* xFindFunction */
    0,                /* xRename */
    0,                /* xSavepoint */
    0,                /* xRelease */
    0,                /* xRollbackTo */
    0                 /* xShadowName */
};

int setterConversationsRegister(sqlite3 *db, SetterConn *pConn) {
  setterConnRef(pConn);
  return sqlite3_create_module_v2(db, "setter_conversations", &setterModule, pConn,
                                  setterConnUnref);
}
