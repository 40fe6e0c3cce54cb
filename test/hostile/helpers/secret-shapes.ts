// Secret shapes planted by the hostile tests: one per well-known credential format, made of seeded random characters.

/** Deterministic random characters from an alphabet (a tiny LCG: the same shapes every run). */
function chars(alphabet: string, n: number, seed: number): string {
  let x = seed >>> 0;
  let out = '';
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out += alphabet[(x >>> 16) % alphabet.length];
  }
  return out;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const HEX = '0123456789abcdef';
const UPPER_B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** A secret to plant: a name, the secret itself, and the text it is planted in (the secret with its context). */
export interface PlantedSecret {
  name: string;
  secret: string;
  text: string;
}

const s = (name: string, secret: string, text = secret): PlantedSecret => ({ name, secret, text });

/** Thirty-odd secret shapes, each with the context a real leak has. */
export function plantedSecrets(): PlantedSecret[] {
  const hex40 = chars(HEX, 40, 7);
  const hex40b = chars(HEX, 40, 8);
  return [
    s('aws access key id', `AKIA${chars(UPPER_B32, 16, 1)}`),
    s('aws secret', chars(ALNUM, 40, 2), `aws_secret_access_key = ${chars(ALNUM, 40, 2)}`),
    s('github classic token', `ghp_${chars(ALNUM, 36, 3)}`),
    s('github oauth token', `gho_${chars(ALNUM, 36, 4)}`),
    s('github fine-grained token', `github_pat_${chars(ALNUM + '_', 82, 5)}`),
    s('gitlab token', `glpat-${chars(ALNUM, 20, 6)}`),
    s('wandb key in a setting', hex40, `wandb.api_key=${hex40}`),
    s('wandb key as an option', hex40b, `--wandb-key ${hex40b}`),
    s('slack bot token', `xoxb-${chars('0123456789', 12, 9)}-${chars('0123456789', 12, 10)}-${chars(ALNUM, 24, 11)}`),
    s('openai key', `sk-proj-${chars(ALNUM, 48, 12)}`),
    s('anthropic key', `sk-ant-api03-${chars(ALNUM, 93, 13)}AA`),
    s('hugging face token', `hf_${chars('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', 34, 14)}`),
    s('google api key', `AIza${chars(ALNUM + '_-', 35, 15)}`),
    s('jwt', `eyJhbGciOiJIUzI1NiJ9.eyJ${chars(ALNUM, 40, 16)}.${chars(ALNUM, 43, 17)}`),
    s('private key', `-----BEGIN RSA PRIVATE KEY-----\n${chars(ALNUM, 64, 18)}\n-----END RSA PRIVATE KEY-----`),
    s('stripe live key', `sk_live_${chars(ALNUM, 32, 19)}`),
    s('sendgrid key', `SG.${chars(ALNUM, 22, 20)}.${chars(ALNUM, 43, 21)}`),
    s('npm token', `npm_${chars(ALNUM, 36, 22)}`),
    s('pypi token', `pypi-AgEIcHlwaS5vcmc${chars(ALNUM, 60, 23)}`),
    s('digitalocean token', `dop_v1_${chars(HEX, 64, 24)}`),
    s('databricks token', `dapi${chars(HEX, 32, 25)}`),
    s('shopify token', `shpat_${chars(HEX, 32, 26)}`),
    s('twilio key', `SK${chars(HEX, 32, 27)}`, `twilio_key=SK${chars(HEX, 32, 27)}`),
    s('url password', `pw${chars(ALNUM, 14, 28)}`, `https://ana:pw${chars(ALNUM, 14, 28)}@git.example.com/x.git`),
    s('password assignment', `Zx8kq2Lm9${chars(ALNUM, 8, 29)}`, `DB_PASSWORD=Zx8kq2Lm9${chars(ALNUM, 8, 29)}`),
    s('mailgun key', `key-${chars(HEX, 32, 30)}`, `mailgun_api_key = key-${chars(HEX, 32, 30)}`),
    s('age secret key', `AGE-SECRET-KEY-1${chars('QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L', 58, 31)}`),
    s('doppler token', `dp.pt.${chars(ALNUM, 43, 32)}`),
    s(
      'generic secret token',
      `x9f8d7s6${chars(ALNUM, 16, 33)}`,
      `export SECRET_TOKEN="x9f8d7s6${chars(ALNUM, 16, 33)}"`,
    ),
    s(
      'slack webhook',
      `https://hooks.slack.com/services/T${chars(ALNUM, 10, 34)}/B${chars(ALNUM, 10, 35)}/${chars(ALNUM, 24, 36)}`,
    ),
    s('api key option', `k3y${chars(ALNUM, 24, 37)}`, `--api-key=k3y${chars(ALNUM, 24, 37)}`),
    s(
      'bearer header',
      chars(ALNUM, 40, 38),
      `curl -H "Authorization: Bearer ${chars(ALNUM, 40, 38)}" https://api.example.com`,
    ),
  ];
}
