// Which environment variables are secrets, for `metadata.env` (secrets.ts applies these rules).
//
// Names: the fledge CLI 1.8's filter (names containing secret, token, password, key, credential,
// auth, private, session, cookie; LD_PRELOAD, LD_LIBRARY_PATH, DYLD_*, KUBECONFIG*; names ending
// _URL, _URI, _DSN), widened with the words credential variables of the big CI systems and clouds
// are made of (test/hardening/secrets.test.ts holds that corpus).
//
// Values: the CLI hides every value holding both '@' and ':' (secrets.ts narrows that to the
// credential shape, so that an ordinary PATH through an npm scope folder stays); and a value whose
// SHAPE names a credential is hidden whatever variable holds it. The shapes are a subset of gitleaks' default rules
// (https://github.com/gitleaks/gitleaks, config/gitleaks.toml, MIT License, Copyright (c) 2019
// Zachary Rice): the rules that recognise a token by its own prefix or format, rewritten for
// JavaScript. The rules that need a variable name beside the value (`<service>_key = ...`) are
// covered by the name rules instead.

/** Substrings of upper-cased names that mark a secret. */
export const SECRET_NAME_PARTS: readonly string[] = [
  // the CLI 1.8's list
  'SECRET',
  'TOKEN',
  'PASSWORD',
  'KEY',
  'CREDENTIAL',
  'AUTH',
  'PRIVATE',
  'SESSION',
  'COOKIE',
  // ours
  'PASS', // PASSWD, PASSPHRASE, SSHPASS, PGPASSFILE, TWINE_PASS...
  'PWD_',
  'CRED',
  'API',
  'SIGNATURE',
  'SIGNING',
  'CERT',
  'JWT',
  'BEARER',
  'OAUTH',
  'SALT',
  'DSN',
  'CONN', // connection strings
  'WEBHOOK', // SLACK_WEBHOOK, DISCORD_WEBHOOK: the URL is the credential
  'NETRC',
  'KEYSTORE',
];

/** Whole words of a name (split at _ - . and lower-to-upper case changes) that mark a secret. */
export const SECRET_NAME_WORDS: readonly string[] = [
  'PAT', // personal access token: AZURE_DEVOPS_EXT_PAT, GITHUB_PAT
  'PW',
  'PWD', // MYSQL_PWD (but PWD and OLDPWD themselves are the working directory)
  'SAS', // Azure shared access signature
  'PIN',
  'OTP',
  'TOTP',
  'MFA',
  'SIG',
  'HMAC',
];

/** Names that are harmless although a rule above matches them. */
export const SAFE_NAMES: ReadonlySet<string> = new Set(['PWD', 'OLDPWD']);

/** Name prefixes of variables that change how programs load code (the CLI's, and a few of ours). */
export const DANGEROUS_PREFIXES: readonly string[] = [
  'LD_',
  'DYLD_',
  'KUBECONFIG',
  'NODE_OPTIONS',
  'NODE_CHANNEL',
  'ELECTRON_',
];

/** Name suffixes that mark a secret (the CLI's three, and passwords). */
export const SECRET_NAME_SUFFIXES: readonly string[] = ['_URL', '_URI', '_DSN', '_PW', '_PASS', '_PWD'];

/** Credential value shapes, after gitleaks' rule ids (a subset, see the header). */
export const SECRET_VALUE_SHAPES: readonly (readonly [id: string, shape: RegExp])[] = [
  ['github-pat', /\bgh[pousr]_[A-Za-z0-9]{30,}/],
  ['github-fine-grained-pat', /\bgithub_pat_[A-Za-z0-9_]{22,}/],
  ['gitlab-token', /\bgl(?:pat|dt|rt|ptt|ft|imt|oas|cbt|soat|agent)-[A-Za-z0-9_-]{20,}/],
  ['gitlab-runner-registration-token', /\bGR1348941[A-Za-z0-9_-]{20,}/],
  ['slack-token', /\bxox[abeoprs]-[A-Za-z0-9-]{10,}/],
  ['slack-app-token', /\bxapp-\d-[A-Z0-9]+-\d+-[a-z0-9]+/i],
  ['slack-webhook-url', /hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9+/]{20,}/],
  ['discord-webhook-url', /discord(?:app)?\.com\/api\/webhooks\/\d+\/[A-Za-z0-9_-]{20,}/],
  ['teams-webhook-url', /\.webhook\.office\.com\/webhook(?:b2)?\/[A-Za-z0-9@/-]{20,}/],
  ['stripe-access-token', /\b(?:sk|rk)_(?:test|live|prod)_[A-Za-z0-9]{10,99}/],
  ['aws-access-token', /\b(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b/],
  ['gcp-api-key', /\bAIza[0-9A-Za-z_-]{35}/],
  ['gcp-oauth-access-token', /\bya29\.[0-9A-Za-z_-]{20,}/],
  ['azure-ad-client-secret', /(?:^|[\s'"=:(,])[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34}(?:$|[\s'"),])/],
  ['azure-storage-key', /AccountKey=[A-Za-z0-9+/=]{20,}/],
  ['azure-sas', /[?&]sig=[A-Za-z0-9%+/=]{20,}/],
  ['openai-api-key', /\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}/],
  ['anthropic-api-key', /\bsk-ant-(?:api|admin)\d\d-[A-Za-z0-9_-]{20,}/],
  ['huggingface-access-token', /\bhf_[A-Za-z]{30,}/],
  ['npm-access-token', /\bnpm_[A-Za-z0-9]{36}/],
  ['pypi-upload-token', /\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}/],
  ['rubygems-api-token', /\brubygems_[a-f0-9]{48}/],
  ['nuget-api-key', /\boy2[a-z0-9]{43}/],
  ['sendgrid-api-token', /\bSG\.[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{20,}/],
  ['twilio-api-key', /\bSK[0-9a-fA-F]{32}\b/],
  ['mailgun-private-api-token', /\bkey-[a-f0-9]{32}\b/],
  ['shopify-token', /\bshp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}/],
  ['square-access-token', /\b(?:EAAA|sq0atp-|sq0csp-)[A-Za-z0-9_-]{22,}/],
  ['digitalocean-token', /\bdo[opr]_v1_[a-f0-9]{64}/],
  ['doppler-api-token', /\bdp\.(?:pt|st|sa|ct|scim|audit)\.[A-Za-z0-9]{40,}/],
  ['hashicorp-vault-token', /\bhv[sbr]\.[A-Za-z0-9_-]{24,}/],
  ['hashicorp-tf-api-token', /\b[a-z0-9]{14}\.atlasv1\.[a-z0-9_=-]{60,}/i],
  ['databricks-api-token', /\bdapi[a-f0-9]{32}/],
  ['linear-api-key', /\blin_api_[A-Za-z0-9]{40}/],
  ['postman-api-token', /\bPMAK-[a-f0-9]{24}-[a-f0-9]{34}/],
  ['pulumi-api-token', /\bpul-[a-f0-9]{40}/],
  ['grafana-token', /\bgl(?:c|sa)_[A-Za-z0-9_=+/-]{32,}/],
  ['heroku-api-key-v2', /\bHRKU-AA[0-9A-Za-z_-]{58}/],
  ['new-relic-user-api-key', /\bNRAK-[A-Z0-9]{27}/],
  ['dynatrace-api-token', /\bdt0c01\.[A-Z0-9]{24}\.[A-Z0-9]{64}/],
  ['flyio-access-token', /\bfo1_[A-Za-z0-9_-]{43}/],
  ['1password-service-account-token', /\bops_eyJ[A-Za-z0-9+/]{100,}/],
  ['age-secret-key', /AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}/],
  ['artifactory-api-key', /\bAKCp[A-Za-z0-9]{69}\b/],
  ['telegram-bot-api-token', /\b\d{5,16}:A[A-Za-z0-9_-]{34}\b/],
  ['jwt', /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.?[A-Za-z0-9_-]*/],
  ['private-key', /-----BEGIN[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----/],
];
