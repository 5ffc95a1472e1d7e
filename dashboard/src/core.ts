/** Values from the contract that a browser may load (types come from '@gridhub/core' as types). */
export * from '@gridhub/core/browser';
