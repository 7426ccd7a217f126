/**
 * How the two kinds of pool ids look, a fact of the ids themselves: an identity pool id has a colon
 * (`us-east-1:1111…`), a user pool id an underscore (`us-east-1_Ab…`), so the two cannot be mistaken
 * for each other anywhere (ARNs, stored keys, the CLI's `--pool`).
 */

/** True for an identity pool id (`<region>:<uuid>`). */
export function isIdentityPoolId(id: string): boolean {
  return /^[\w-]+:[0-9a-f-]+$/i.test(id);
}
