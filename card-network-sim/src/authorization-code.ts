/** The six-character approval code an issuer or the points provider gives an approved hold. */

const AUTHORIZATION_CODE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const AUTHORIZATION_CODE_LENGTH = 6;

/** Draws from the injected `random`, so tests can predict the code. */
export function newAuthorizationCode(random: () => number): string {
  let code = '';
  for (let index = 0; index < AUTHORIZATION_CODE_LENGTH; index += 1) {
    const position = Math.min(Math.floor(random() * AUTHORIZATION_CODE_ALPHABET.length), AUTHORIZATION_CODE_ALPHABET.length - 1);
    code += AUTHORIZATION_CODE_ALPHABET[position];
  }
  return code;
}
