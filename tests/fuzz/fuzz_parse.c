/*
** fuzz_parse.c - libFuzzer target for the response parser (ext/parse.c,
** ext/rows.c) and setterApiErrorMessage.
**
**   make fuzz FUZZ_SECONDS=120
**   build/fuzz/fuzz_parse -dict=tests/fuzz/json.dict build/fuzz/corpus tests/fuzz/corpus
**   build/fuzz/fuzz_parse CRASH_FILE          (replay one input)
**
** Each input is copied into a malloc'd buffer of exactly its size (no 0
** terminator, so ASan sees any read past the end) and parsed with the full
** field mask, then again with a partial mask chosen by the first byte (so
** the "only extract what the query reads" paths are covered too).  Every
** cell of the result is walked and every byte of every text cell read (raw
** json cells point into the kept body, others into the arena).  Invariants
** checked with abort():
**   - success <=> *ppRows != NULL; an error has a non-empty, terminated
**     message and rc 1 (malformed) or 2 (no memory);
**   - cells only for fields in the mask, types INTEGER/TEXT/NULL only;
**   - compact JSON output is never longer than its input.
** setterApiErrorMessage gets the same bytes; its result is read and freed.
*/
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "rows.h"

static volatile unsigned char sink;

static void readBytes(const char *z, size_t n) {
  unsigned char acc = 0;
  size_t i;
  for (i = 0; i < n; i++) acc ^= (unsigned char)z[i];
  sink ^= acc;
}

static void parseOnce(const uint8_t *aData, size_t nData, unsigned int mask) {
  char zErr[SETTER_PARSE_ERR_MAX];
  SetterRows *pRows = (SetterRows *)zErr; /* must be overwritten */
  char *zBody = malloc(nData ? nData : 1);
  int rc, f;
  int64_t iRow;
  if (zBody == NULL) return;
  if (nData) memcpy(zBody, aData, nData);
  rc = setterParseResponse(zBody, nData, mask, &pRows, zErr, sizeof zErr);
  if (rc != 0) {
    if (pRows != NULL || (rc != 1 && rc != 2)) abort();
    if (memchr(zErr, 0, sizeof zErr) == NULL || zErr[0] == 0) abort();
    return;
  }
  if (pRows == NULL) abort();
  if (pRows->nRow < 0 || pRows->nRow > (int64_t)nData) abort();
  for (iRow = 0; iRow < pRows->nRow; iRow++) {
    for (f = 0; f < SETTER_FIELD_COUNT; f++) {
      const SetterValue *c = setterRowsCell(pRows, iRow, f);
      if ((c != NULL) != ((mask & SETTER_FIELD_BIT(f)) != 0)) abort();
      if (c == NULL) continue;
      switch (c->type) {
        case SETTER_NULL: break;
        case SETTER_INTEGER: sink ^= (unsigned char)c->u.i; break;
        case SETTER_TEXT:
          if (c->u.z == NULL || c->n > nData) abort();
          readBytes(c->u.z, c->n);
          break;
        default: abort();
      }
    }
  }
  if (pRows->zContextStartsAt) readBytes(pRows->zContextStartsAt, strlen(pRows->zContextStartsAt));
  /* an extra holder outlives the first reference */
  setterRowsRef(pRows);
  setterRowsUnref(pRows);
  if (pRows->nRow > 0) {
    const SetterValue *c = setterRowsCell(pRows, pRows->nRow - 1, SETTER_FIELD_RAW_JSON);
    if (c && c->type == SETTER_TEXT) readBytes(c->u.z, c->n);
  }
  setterRowsUnref(pRows);
}

int LLVMFuzzerTestOneInput(const uint8_t *aData, size_t nData) {
  char *zCopy, *zMsg;
  parseOnce(aData, nData, SETTER_FIELD_ALL);
  if (nData > 0) {
    /* a partial mask from the first byte: its bits 0..7 pick fields 0..7
    ** and its bits 0..3 also fields 8..11 (raw_json is bit 11), so every
    ** field is sometimes in and sometimes out; a '{' (0x7b) gives
    ** message_id, content, created_at, latest_status, failure_reason,
    ** error_title, error_message, platform_resource_id and raw_json */
    unsigned int mask = (unsigned int)aData[0] | ((unsigned int)aData[0] << 8);
    parseOnce(aData, nData, mask & SETTER_FIELD_ALL);
  }
  zCopy = malloc(nData ? nData : 1);
  if (zCopy == NULL) return 0;
  if (nData) memcpy(zCopy, aData, nData);
  zMsg = setterApiErrorMessage(zCopy, nData);
  if (zMsg) {
    readBytes(zMsg, strlen(zMsg));
    free(zMsg);
  }
  /* compact JSON never grows */
  {
    char *zOut = malloc(nData ? nData : 1);
    if (zOut) {
      if (setterJsonCompact(zCopy, nData, zOut) > nData) abort();
      free(zOut);
    }
  }
  free(zCopy);
  return 0;
}
