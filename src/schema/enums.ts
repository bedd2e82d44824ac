/** The schema's enums; values equal the domain's string unions. */
import { registerEnumType } from 'type-graphql';
import { ERROR_CODES, type ErrorCode as DomainErrorCode } from '../domain/errors.js';
import { ASSOCIATION_FAILURE_REASONS, DISASSOCIATION_FAILURE_REASONS, FACE_DELETION_FAILURE_REASONS } from '../domain/records.js';

const enumOf = <T extends string>(values: readonly T[]): { [K in T]: K } =>
  Object.fromEntries(values.map((v) => [v, v])) as { [K in T]: K };

export const ErrorCode = enumOf<DomainErrorCode>(ERROR_CODES);
export type ErrorCode = DomainErrorCode;
registerEnumType(ErrorCode, { name: 'ErrorCode' });

export const ProviderKind = enumOf(['LOCAL', 'REKOGNITION', 'AZURE_FACE'] as const);
export type ProviderKind = keyof typeof ProviderKind;
registerEnumType(ProviderKind, { name: 'ProviderKind' });

export const UserStatus = enumOf(['ACTIVE', 'UPDATING', 'CREATING', 'CREATED'] as const);
export type UserStatus = keyof typeof UserStatus;
registerEnumType(UserStatus, { name: 'UserStatus' });

export const AssociationFailureReason = enumOf(ASSOCIATION_FAILURE_REASONS);
export type AssociationFailureReason = keyof typeof AssociationFailureReason;
registerEnumType(AssociationFailureReason, { name: 'AssociationFailureReason' });

export const DisassociationFailureReason = enumOf(DISASSOCIATION_FAILURE_REASONS);
export type DisassociationFailureReason = keyof typeof DisassociationFailureReason;
registerEnumType(DisassociationFailureReason, {
  name: 'DisassociationFailureReason',
  valuesConfig: {
    FACE_ONLY_IN_USER: {
      description:
        "The face exists only inside the provider's user (an Azure person face added by another tool, in no face list): disassociating it would delete it, so it stays associated.",
    },
  },
});

export const FaceDeletionFailureReason = enumOf(FACE_DELETION_FAILURE_REASONS);
export type FaceDeletionFailureReason = keyof typeof FaceDeletionFailureReason;
registerEnumType(FaceDeletionFailureReason, { name: 'FaceDeletionFailureReason' });

export const OperationStatus = enumOf(['NOT_STARTED', 'RUNNING', 'SUCCEEDED', 'FAILED'] as const);
export type OperationStatus = keyof typeof OperationStatus;
registerEnumType(OperationStatus, { name: 'OperationStatus' });

export const OperationKind = enumOf(['TAKE_SNAPSHOT', 'APPLY_SNAPSHOT', 'TRAIN_COLLECTION'] as const);
export type OperationKind = keyof typeof OperationKind;
registerEnumType(OperationKind, { name: 'OperationKind' });
