-- The built-in e-mail sign-in provider (issue 21, part 1): an OpenID provider inside the binary that
-- signs people in by a one-time code mailed through the outbox. Every replica serves it, so all of its
-- state is here: its keys, its accounts, the authorization requests in flight, its access tokens, and
-- the events that rate-limit and audit it.

-- +goose Up
-- One row: the provider's RS256 signing key (PKCS#8 DER), the key the op library encrypts its opaque
-- tokens with, the key codes are hashed with, and the platform's own client secret. Made once, by
-- whichever replica starts first.
CREATE TABLE signin_keys (
    id            int         PRIMARY KEY CHECK (id = 1),
    key_id        text        NOT NULL,
    signing_key   bytea       NOT NULL,
    crypto_key    bytea       NOT NULL CHECK (length(crypto_key) = 32),
    code_key      bytea       NOT NULL CHECK (length(code_key) = 32),
    client_secret text        NOT NULL,
    create_time   timestamptz NOT NULL DEFAULT now()
);

-- An address that has signed in: its subject is random and stays, so the platform's account bound
-- to (issuer, subject) stays the same person's.
CREATE TABLE signin_accounts (
    subject     text        PRIMARY KEY,
    email       text        NOT NULL UNIQUE CHECK (email = lower(email)),
    create_time timestamptz NOT NULL DEFAULT now()
);

-- An authorization request, from /authorize to the code's exchange; browser_hash binds it to the
-- browser that opened the sign-in page, code_hash is the mailed code's HMAC (never the code).
CREATE TABLE signin_requests (
    id                    text        PRIMARY KEY,
    client_id             text        NOT NULL,
    redirect_uri          text        NOT NULL,
    scopes                text[]      NOT NULL,
    state                 text        NOT NULL,
    nonce                 text        NOT NULL,
    response_type         text        NOT NULL,
    response_mode         text        NOT NULL,
    code_challenge        text        NOT NULL,
    code_challenge_method text        NOT NULL,
    ui_locales            text        NOT NULL,
    create_time           timestamptz NOT NULL DEFAULT now(),
    expire_time           timestamptz NOT NULL,
    browser_hash          bytea,
    email                 text,
    code_hash             bytea,
    code_expire_time      timestamptz,
    code_attempts         int         NOT NULL DEFAULT 0,
    subject               text,
    auth_time             timestamptz,
    done                  boolean     NOT NULL DEFAULT false,
    -- SHA-256 of the authorization code the op library issued (one at a time, redeemed once).
    auth_code_hash        bytea       UNIQUE
);
CREATE INDEX signin_requests_expire ON signin_requests (expire_time);

CREATE TABLE signin_tokens (
    id          text        PRIMARY KEY,
    subject     text        NOT NULL,
    client_id   text        NOT NULL,
    scopes      text[]      NOT NULL,
    expire_time timestamptz NOT NULL
);
CREATE INDEX signin_tokens_expire ON signin_tokens (expire_time);

-- What happened, for rate limits (per address and per client address) and the organisers' audit:
-- CODE_SENT, CODE_NOT_SENT (no such person: nothing mailed, the page says the same), RATE_LIMITED,
-- CODE_WRONG, SIGNED_IN.
CREATE TABLE signin_events (
    seq         bigserial   PRIMARY KEY,
    event_time  timestamptz NOT NULL DEFAULT now(),
    kind        text        NOT NULL CHECK (kind IN ('CODE_SENT', 'CODE_NOT_SENT', 'RATE_LIMITED', 'CODE_WRONG', 'SIGNED_IN')),
    email       text        NOT NULL,
    client_addr text        NOT NULL
);
CREATE INDEX signin_events_email ON signin_events (email, event_time);
CREATE INDEX signin_events_addr ON signin_events (client_addr, event_time);
CREATE INDEX signin_events_time ON signin_events (event_time);

-- The codes go through the outbox like every mail, as their own kind that organisers never see.
ALTER TABLE mail_outbox DROP CONSTRAINT mail_outbox_kind_check;
ALTER TABLE mail_outbox ADD CONSTRAINT mail_outbox_kind_check CHECK (kind IN ('INVITATION', 'REPORTING_OPENED',
    'REPORTING_REMINDER', 'REPORT_RETURNED', 'JURY_OPENED', 'BALLOT_REMINDER', 'RESULTS_ANNOUNCED', 'BALLOT_RECEIPT',
    'MESSAGE', 'SIGN_IN_CODE'));

-- +goose Down
DELETE FROM mail_delivery_attempts WHERE mail_id IN (SELECT id FROM mail_outbox WHERE kind = 'SIGN_IN_CODE');
DELETE FROM mail_outbox WHERE kind = 'SIGN_IN_CODE';
ALTER TABLE mail_outbox DROP CONSTRAINT mail_outbox_kind_check;
ALTER TABLE mail_outbox ADD CONSTRAINT mail_outbox_kind_check CHECK (kind IN ('INVITATION', 'REPORTING_OPENED',
    'REPORTING_REMINDER', 'REPORT_RETURNED', 'JURY_OPENED', 'BALLOT_REMINDER', 'RESULTS_ANNOUNCED', 'BALLOT_RECEIPT',
    'MESSAGE'));
DROP TABLE signin_events;
DROP TABLE signin_tokens;
DROP TABLE signin_requests;
DROP TABLE signin_accounts;
DROP TABLE signin_keys;
