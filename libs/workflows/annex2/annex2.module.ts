import { Module } from '@nestjs/common';
import { Engine } from '../../engine/nest/engine.js';
import { PlanModule } from '../plan/plan.module.js';
import { Annex2Controller } from './annex2.controller.js';
import { annex2Projection } from './annex2.projection.js';

@Module({ imports: [PlanModule], controllers: [Annex2Controller] })
export class Annex2Module {
  constructor(engine: Engine) {
    engine.registerProjections(annex2Projection);
  }
}
