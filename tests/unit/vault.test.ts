import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../../shared/logger.ts';
import { createCardVault, loadVaultKey } from '../../processing-server/src/vault/card-vault.ts';

const CARD_NUMBER = '4242424242424242';

// Values written by the vault before its keys became KeyObjects: rows already stored must still
// open and fingerprints already stored must still match, so the format may never drift.
const KNOWN_KEY = Buffer.from('cardlane-test-vault-key-32-bytes');
const KNOWN_SEALED = 'v1:Rlk7rTwNx5yC9ZNQCWHweTGFuyuchbxomEO6FKxfEzoalVxLd5IJGpzJwoQ=';
const KNOWN_FINGERPRINT = 'a02bV1lCjT5ZLURO2RkQouW_D5skqpT8RKdZEInS2XQ';
const KNOWN_KEYED_HASH = 'Tcr62GjJ1IYe-5Ocic11cmQ2VGIDvlXa5ZaBzjDW24w';

describe('card vault', () => {
  test('when a card is sealed by one vault, then another vault made from the same key opens it', () => {
    const key = randomBytes(32);
    const sealed = createCardVault(key).encrypt(CARD_NUMBER, 'pay_1');

    expect(sealed).toMatch(/^v1:/);
    expect(sealed).not.toContain(CARD_NUMBER);
    expect(createCardVault(Buffer.from(key)).decrypt(sealed, 'pay_1')).toBe(CARD_NUMBER);
  });

  test('when two vaults are made from the same key, then their fingerprints and keyed hashes agree', () => {
    const key = randomBytes(32);
    const first = createCardVault(key);
    const second = createCardVault(Buffer.from(key));

    expect(second.fingerprint(CARD_NUMBER)).toBe(first.fingerprint(CARD_NUMBER));
    expect(second.keyedHash('{"amount":2500}')).toBe(first.keyedHash('{"amount":2500}'));
    expect(first.fingerprint(CARD_NUMBER)).not.toBe(first.fingerprint('5555555555554444'));
  });

  test('when a vault reads values stored by earlier versions, then they open and match unchanged', () => {
    const vault = createCardVault(KNOWN_KEY);

    expect(vault.decrypt(KNOWN_SEALED, 'pay_known')).toBe(CARD_NUMBER);
    expect(vault.fingerprint(CARD_NUMBER)).toBe(KNOWN_FINGERPRINT);
    expect(vault.keyedHash('{"amount":2500}')).toBe(KNOWN_KEYED_HASH);
  });

  test('when a vault is used many times, then each call gives the same answers (the keys are reused, not used up)', () => {
    const vault = createCardVault(randomBytes(32));
    const fingerprint = vault.fingerprint(CARD_NUMBER);

    for (let index = 0; index < 20; index += 1) {
      const paymentId = `pay_${index}`;
      expect(vault.decrypt(vault.encrypt(CARD_NUMBER, paymentId), paymentId)).toBe(CARD_NUMBER);
      expect(vault.fingerprint(CARD_NUMBER)).toBe(fingerprint);
    }
  });

  test('when a sealed card is read for another payment, then it fails to open', () => {
    const vault = createCardVault(randomBytes(32));
    const sealed = vault.encrypt(CARD_NUMBER, 'pay_1');

    expect(() => vault.decrypt(sealed, 'pay_2')).toThrow();
  });

  test('when a sealed card is read with another key, then it fails to open and the fingerprint differs', () => {
    const first = createCardVault(randomBytes(32));
    const second = createCardVault(randomBytes(32));
    const sealed = first.encrypt(CARD_NUMBER, 'pay_1');

    expect(() => second.decrypt(sealed, 'pay_1')).toThrow();
    expect(second.fingerprint(CARD_NUMBER)).not.toBe(first.fingerprint(CARD_NUMBER));
  });

  test('when the key is not 32 bytes or the format is unknown, then the vault refuses', () => {
    expect(() => createCardVault(randomBytes(16))).toThrow(RangeError);
    expect(() => createCardVault(randomBytes(32)).decrypt('v2:AAAA', 'pay_1')).toThrow('unknown vault format');
  });
});

describe('the development vault key in DATA_DIR', () => {
  const silent = createLogger({ service: 'test', level: 'silent' });
  let dataDir: string;

  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cardlane-vault-key-'));
  });

  afterEach(() => {
    jest.restoreAllMocks();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('when no key exists, then one is generated and read back the same on the next start', () => {
    const first = loadVaultKey({ configuredKey: undefined, dataDir, logger: silent });
    const again = loadVaultKey({ configuredKey: undefined, dataDir, logger: silent });

    expect(first).toHaveLength(32);
    expect(again.equals(first)).toBe(true);
    expect(fs.readdirSync(dataDir)).toEqual(['vault.key']);
  });

  test('when another instance writes the key between our look and our write, then its key is used and nothing throws', () => {
    const theirs = loadVaultKey({ configuredKey: undefined, dataDir, logger: silent });
    // Several processing servers started at once on one DATA_DIR: each looked before any wrote.
    jest.spyOn(fs, 'existsSync').mockReturnValueOnce(false);

    const ours = loadVaultKey({ configuredKey: undefined, dataDir, logger: silent });

    expect(ours.equals(theirs)).toBe(true);
    expect(fs.readdirSync(dataDir)).toEqual(['vault.key']);
  });
});
