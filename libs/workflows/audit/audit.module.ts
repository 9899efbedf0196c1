import { Module } from '@nestjs/common';
import { PlanModule } from '../plan/plan.module.js';
import { AuditController } from './audit.controller.js';
import { AuditService } from './audit.service.js';
import { SealService } from './seal.service.js';

@Module({
  imports: [PlanModule],
  providers: [AuditService, SealService],
  controllers: [AuditController],
  exports: [AuditService, SealService],
})
export class AuditModule {}
