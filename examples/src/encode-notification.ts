// Encodes a notification and prints its headers and body size.
import { APNSError } from '@pushwire/models';

console.log('pushwire models loaded:', typeof APNSError === 'function');
