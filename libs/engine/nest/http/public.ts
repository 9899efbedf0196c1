import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'jixiao:public';
/** Marks an endpoint that needs no session (health, login). Every other endpoint does. */
export const Public = () => SetMetadata(IS_PUBLIC, true);
