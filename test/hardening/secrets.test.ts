// Item 6 of the hardening issue: `metadata.env` never shows a credential. The attack: a plugin granted
// `metadata` read SSHPASS, AZURE_DEVOPS_EXT_PAT, SLACK_WEBHOOK, DISCORD_WEBHOOK and a value shaped
// like sk_live_... Checked against a corpus of real credential variables of the big CI systems and
// clouds (names from their documentation), the CLI 1.8's rules, and credential value shapes after
// gitleaks' rules, through a real run of a plugin that asks for the environment.
import { describe, expect, it } from 'vitest';
import { filterEnv, isSecretEnvName, secretValueShape } from '../../electron/engine/host/secrets.js';
import { NO_CAPABILITIES } from '../../shared/capabilities.js';
import { makePlugin, runPlugin, sendThenEchoModule } from '../sandbox/helpers.js';

/** Credential variables, by who documents them. */
const CREDENTIAL_NAMES: Record<string, string[]> = {
  'the attack': ['SSHPASS', 'AZURE_DEVOPS_EXT_PAT', 'SLACK_WEBHOOK', 'DISCORD_WEBHOOK'],
  'GitHub Actions': [
    'GITHUB_TOKEN',
    'GH_TOKEN',
    'ACTIONS_RUNTIME_TOKEN',
    'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
    'ACTIONS_ID_TOKEN_REQUEST_URL',
    'ACTIONS_CACHE_URL',
    'ACTIONS_RESULTS_URL',
    'GITHUB_PAT',
    'GH_ENTERPRISE_TOKEN',
  ],
  'GitLab CI': [
    'CI_JOB_TOKEN',
    'CI_JOB_JWT',
    'CI_JOB_JWT_V2',
    'CI_REGISTRY_PASSWORD',
    'CI_DEPLOY_PASSWORD',
    'CI_DEPENDENCY_PROXY_PASSWORD',
    'CI_REPOSITORY_URL',
    'CI_BUILD_TOKEN',
    'GITLAB_TOKEN',
  ],
  'Azure Pipelines / Azure': [
    'SYSTEM_ACCESSTOKEN',
    'AZURE_DEVOPS_EXT_PAT',
    'AZURE_CLIENT_SECRET',
    'AZURE_CLIENT_CERTIFICATE_PASSWORD',
    'AZURE_PASSWORD',
    'AZURE_STORAGE_KEY',
    'AZURE_STORAGE_CONNECTION_STRING',
    'AZURE_STORAGE_SAS_TOKEN',
    'AZURE_STORAGE_SAS',
    'ARM_CLIENT_SECRET',
    'ARM_ACCESS_KEY',
  ],
  'CircleCI / Travis / Buildkite / Bitbucket / Jenkins': [
    'CIRCLE_TOKEN',
    'CIRCLECI_TOKEN',
    'TRAVIS_API_TOKEN',
    'BUILDKITE_AGENT_ACCESS_TOKEN',
    'BUILDKITE_API_TOKEN',
    'BITBUCKET_STEP_OIDC_TOKEN',
    'BITBUCKET_APP_PASSWORD',
    'JENKINS_API_TOKEN',
    'JENKINS_PASSWORD',
  ],
  AWS: [
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
    'AWS_SECURITY_TOKEN',
    'AWS_CONTAINER_AUTHORIZATION_TOKEN',
    'AWS_WEB_IDENTITY_TOKEN_FILE',
  ],
  'Google Cloud': [
    'GOOGLE_APPLICATION_CREDENTIALS',
    'GOOGLE_CREDENTIALS',
    'GOOGLE_API_KEY',
    'CLOUDSDK_AUTH_ACCESS_TOKEN',
    'GOOGLE_OAUTH_ACCESS_TOKEN',
  ],
  'other clouds and hosts': [
    'DIGITALOCEAN_ACCESS_TOKEN',
    'HEROKU_API_KEY',
    'CLOUDFLARE_API_TOKEN',
    'CF_API_KEY',
    'NETLIFY_AUTH_TOKEN',
    'VERCEL_TOKEN',
    'FLY_API_TOKEN',
    'RAILWAY_TOKEN',
    'SUPABASE_SERVICE_ROLE_KEY',
    'FIREBASE_TOKEN',
    'VAULT_TOKEN',
    'TF_TOKEN_app_terraform_io',
    'TFE_TOKEN',
    'PULUMI_ACCESS_TOKEN',
    'DOPPLER_TOKEN',
    'OP_SERVICE_ACCOUNT_TOKEN',
    'KUBECONFIG',
    'NGROK_AUTHTOKEN',
  ],
  registries: [
    'NPM_TOKEN',
    'NODE_AUTH_TOKEN',
    'TWINE_PASSWORD',
    'PYPI_API_TOKEN',
    'CARGO_REGISTRY_TOKEN',
    'GEM_HOST_API_KEY',
    'NUGET_API_KEY',
    'DOCKER_PASSWORD',
    'DOCKER_AUTH_CONFIG',
    'DOCKERHUB_TOKEN',
    'REGISTRY_PASSWORD',
    'OSSRH_PASSWORD',
  ],
  databases: [
    'PGPASSWORD',
    'PGPASSFILE',
    'MYSQL_PWD',
    'MYSQL_ROOT_PASSWORD',
    'REDIS_PASSWORD',
    'MONGO_INITDB_ROOT_PASSWORD',
    'DATABASE_URL',
    'REDIS_URL',
    'SENTRY_DSN',
  ],
  'services and signing': [
    'SLACK_WEBHOOK_URL',
    'SLACK_BOT_TOKEN',
    'SENTRY_AUTH_TOKEN',
    'CODECOV_TOKEN',
    'SONAR_TOKEN',
    'SNYK_TOKEN',
    'OPENAI_API_KEY',
    'ANTHROPIC_API_KEY',
    'HF_TOKEN',
    'STRIPE_SECRET_KEY',
    'TWILIO_AUTH_TOKEN',
    'SENDGRID_API_KEY',
    'HOMEBREW_GITHUB_API_TOKEN',
    'SSH_AUTH_SOCK',
    'GPG_PASSPHRASE',
    'GPG_PRIVATE_KEY',
    'COSIGN_PASSWORD',
    'MATCH_PASSWORD',
    'FASTLANE_PASSWORD',
    'ANDROID_KEYSTORE_PASSWORD',
    'SIGNING_KEY',
    'JWT_SECRET',
    'SESSION_SECRET',
    'COOKIE_SECRET',
    'NETRC',
    'azureDevopsExtPat',
  ],
};

/** Ordinary variables a plugin may well read. */
const PLAIN = {
  PATH: '/usr/local/bin:/usr/bin:/bin',
  HOME: '/home/me',
  USER: 'me',
  SHELL: '/bin/bash',
  LANG: 'en_US.UTF-8',
  TERM: 'xterm-256color',
  PWD: '/home/me/project',
  OLDPWD: '/home/me',
  EDITOR: 'vim',
  TZ: 'UTC',
  CI: 'true',
  GITHUB_ACTIONS: 'true',
  GITHUB_REPOSITORY: 'o/r',
  GITHUB_SHA: 'deadbeef',
  RUNNER_OS: 'Linux',
  CI_COMMIT_SHA: 'deadbeef',
  CI_PIPELINE_ID: '42',
  CIRCLE_BRANCH: 'main',
  BUILDKITE_BRANCH: 'main',
  AWS_REGION: 'eu-west-1',
  AWS_DEFAULT_REGION: 'eu-west-1',
  GOOGLE_CLOUD_PROJECT: 'proj',
  NODE_ENV: 'production',
  JAVA_HOME: '/usr/lib/jvm/default',
  GOPATH: '/home/me/go',
  XDG_CONFIG_HOME: '/home/me/.config',
  DISPLAY: ':0',
  SKETCH: 'sk-short',
  MAILTO: 'someone@example.com',
  REPO: 'ssh://git@github.com/o/r.git',
  NPM_SCOPED_PATH: '/home/me/.npm/@npmcli/bin:/usr/bin',
};

/** Values shaped like credentials, under harmless names (each a made-up token of the right shape). */
const SHAPED: Record<string, string> = {
  STRIPE_THING: `sk_live_${'a1B2c3D4e5'.repeat(3)}`,
  STRIPE_RESTRICTED: `rk_test_${'Z9y8X7w6V5'.repeat(2)}`,
  HOOK_A: `https://hooks.slack.com/services/T0000000/B0000000/${'x'.repeat(24)}`,
  HOOK_B: `https://discord.com/api/webhooks/123456789012345678/${'a-B_c'.repeat(12)}`,
  GH: `ghp_${'a'.repeat(36)}`,
  FINE: `github_pat_${'A1_'.repeat(20)}`,
  GL: `glpat-${'x'.repeat(20)}`,
  AWSID: 'AKIAIOSFODNN7EXAMPLA',
  GOOG: `AIza${'b'.repeat(35)}`,
  OPENAI: `sk-proj-${'c'.repeat(40)}`,
  ANTH: `sk-ant-api03-${'d'.repeat(93)}AA`,
  HUG: `hf_${'e'.repeat(34)}`,
  NPMT: `npm_${'f'.repeat(36)}`,
  SG: `SG.${'g'.repeat(22)}.${'h'.repeat(43)}`,
  VAULTISH: `hvs.${'i'.repeat(90)}`,
  DO: `dop_v1_${'a'.repeat(64)}`,
  SLACKB: 'xoxb-1234567890-abcdefghij',
  JWTISH: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abc',
  PEM: '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaA==\n-----END OPENSSH PRIVATE KEY-----',
  LOGIN: 'deploy:s3cret@db.internal:5432',
};

describe('metadata.env hides credentials', () => {
  for (const [who, names] of Object.entries(CREDENTIAL_NAMES))
    it(`every credential variable of ${who}`, () => {
      const env = Object.fromEntries(names.map((n) => [n, 'value']));
      expect(filterEnv({ ...env, ...PLAIN })).toEqual(PLAIN);
      for (const n of names) expect(isSecretEnvName(n), n).toBe(true);
    });

  it('every value shaped like a credential, whatever the name; ordinary values stay', () => {
    expect(filterEnv({ ...SHAPED, ...PLAIN })).toEqual(PLAIN);
    expect(secretValueShape(SHAPED.STRIPE_THING!)).toBe('stripe-access-token');
    expect(secretValueShape(SHAPED.HOOK_B!)).toBe('discord-webhook-url');
  });

  it('a plugin granted metadata sees none of them through a real run', async () => {
    const planted = {
      SSHPASS: 'hunter2',
      AZURE_DEVOPS_EXT_PAT: 'abc',
      SLACK_WEBHOOK: 'https://hooks.slack.com/services/T1/B1/xyz',
      DISCORD_WEBHOOK: 'https://discord.com/api/webhooks/1/abc',
      PAYMENTS: `sk_live_${'q'.repeat(24)}`,
    };
    const saved = { ...process.env };
    Object.assign(process.env, planted);
    try {
      const wasm = await sendThenEchoModule(['{"type":"metadata","id":"m","keys":["env"]}']);
      const plugin = makePlugin(wasm, { declared: { metadata: true } });
      const { end, output } = await runPlugin(plugin, { grants: { ...NO_CAPABILITIES, metadata: true } });
      expect(end).toMatchObject({ reason: 'exit', code: 0 });
      const response = output
        .split('\n')
        .map((l) => (l ? JSON.parse(l) : null))
        .find((m) => m?.type === 'response' && m.id === 'm');
      expect(response.value.env.PATH).toBe(process.env.PATH);
      for (const name of Object.keys(planted)) expect(response.value.env, name).not.toHaveProperty(name);
    } finally {
      for (const k of Object.keys(planted)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  }, 30_000);
});
