import { deliverySuite } from './delivery-contract.ts';

deliverySuite('SQLite');
