import { Module } from '@nestjs/common';
import { PlanModule } from '../plan/plan.module.js';
import { SupervisionController } from './supervision.controller.js';
import { SupervisionService } from './supervision.service.js';

@Module({
  imports: [PlanModule],
  providers: [SupervisionService],
  controllers: [SupervisionController],
  exports: [SupervisionService],
})
export class SupervisionModule {}
