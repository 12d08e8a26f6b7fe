import { GraphQLSchemaHost } from '@nestjs/graphql';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  buildSchema,
  GraphQLArgument,
  GraphQLEnumType,
  GraphQLField,
  GraphQLInputField,
  GraphQLInputObjectType,
  GraphQLInterfaceType,
  GraphQLNamedType,
  GraphQLObjectType,
  GraphQLSchema,
  isSpecifiedScalarType,
} from 'graphql';
import { startTestApp, TestApp } from '../utils/test-app';

// The shared contract when it sits beside the repository (as on CI), else the copy in docs/.
const SHARED_CONTRACT = path.resolve(__dirname, '../../../shared/contract/schema.graphql');
const VENDORED_CONTRACT = path.resolve(__dirname, '../../docs/contract/schema.graphql');

/** Every breaking difference: what the contract fixes must exist in `actual` with the same type. */
export function contractViolations(contract: GraphQLSchema, actual: GraphQLSchema): string[] {
  const problems: string[] = [];
  for (const expected of Object.values(contract.getTypeMap())) {
    if (expected.name.startsWith('__') || isSpecifiedScalarType(expected)) {
      continue;
    }
    const found = actual.getType(expected.name);
    if (!found) {
      problems.push(`type ${expected.name} is missing`);
      continue;
    }
    if (found.constructor !== expected.constructor) {
      problems.push(`${expected.name} is a ${kind(found)}, the contract says ${kind(expected)}`);
      continue;
    }
    if (expected instanceof GraphQLEnumType) {
      const values = new Set((found as GraphQLEnumType).getValues().map((v) => v.name));
      for (const value of expected.getValues()) {
        if (!values.has(value.name)) {
          problems.push(`enum ${expected.name} lacks ${value.name}`);
        }
      }
    }
    if (
      expected instanceof GraphQLObjectType ||
      expected instanceof GraphQLInterfaceType ||
      expected instanceof GraphQLInputObjectType
    ) {
      const actualFields = (found as typeof expected).getFields() as Record<
        string,
        GraphQLField<unknown, unknown> | GraphQLInputField
      >;
      for (const [name, field] of Object.entries(
        expected.getFields() as Record<string, GraphQLField<unknown, unknown> | GraphQLInputField>,
      )) {
        const other = actualFields[name];
        if (!other) {
          problems.push(`${expected.name}.${name} is missing`);
          continue;
        }
        if (String(other.type) !== String(field.type)) {
          problems.push(`${expected.name}.${name} is ${String(other.type)}, the contract says ${String(field.type)}`);
        }
        if (
          'defaultValue' in field &&
          field.defaultValue !== undefined &&
          JSON.stringify((other as GraphQLInputField).defaultValue) !== JSON.stringify(field.defaultValue)
        ) {
          problems.push(`${expected.name}.${name} default differs from the contract`);
        }
        if ('args' in field) {
          problems.push(
            ...argumentViolations(
              `${expected.name}.${name}`,
              field.args,
              (other as GraphQLField<unknown, unknown>).args,
            ),
          );
        }
      }
    }
  }
  return problems;
}

function argumentViolations(
  where: string,
  expected: readonly GraphQLArgument[],
  actual: readonly GraphQLArgument[],
): string[] {
  const problems: string[] = [];
  for (const arg of expected) {
    const other = actual.find((a) => a.name === arg.name);
    if (!other) {
      problems.push(`${where}(${arg.name}) is missing`);
    } else if (String(other.type) !== String(arg.type)) {
      problems.push(`${where}(${arg.name}) is ${String(other.type)}, the contract says ${String(arg.type)}`);
    } else if (
      arg.defaultValue !== undefined &&
      JSON.stringify(other.defaultValue) !== JSON.stringify(arg.defaultValue)
    ) {
      problems.push(
        `${where}(${arg.name}) default is ${JSON.stringify(other.defaultValue)}, the contract says ${JSON.stringify(arg.defaultValue)}`,
      );
    }
  }
  for (const arg of actual) {
    if (
      !expected.some((a) => a.name === arg.name) &&
      String(arg.type).endsWith('!') &&
      arg.defaultValue === undefined
    ) {
      problems.push(`${where}(${arg.name}) is a new required argument`);
    }
  }
  return problems;
}

function kind(type: GraphQLNamedType): string {
  return type.constructor.name.replace(/^GraphQL/, '');
}

describe('GraphQL schema contract', () => {
  let testApp: TestApp;
  let generated: GraphQLSchema;
  const contract = buildSchema(readFileSync(existsSync(SHARED_CONTRACT) ? SHARED_CONTRACT : VENDORED_CONTRACT, 'utf8'));

  beforeAll(async () => {
    testApp = await startTestApp('postgres');
    generated = testApp.app.get(GraphQLSchemaHost).schema;
  });

  afterAll(async () => {
    await testApp.close();
  });

  it('should provide every type, field and argument of the contract with the same type', () => {
    expect(contractViolations(contract, generated)).toEqual([]);
  });

  it('should keep docs/contract/schema.graphql a superset of the shared contract (additions only), served as written', () => {
    expect(contractViolations(buildSchema(readFileSync(VENDORED_CONTRACT, 'utf8')), generated)).toEqual([]);
    if (existsSync(SHARED_CONTRACT)) {
      const shared = buildSchema(readFileSync(SHARED_CONTRACT, 'utf8'));
      expect(contractViolations(shared, buildSchema(readFileSync(VENDORED_CONTRACT, 'utf8')))).toEqual([]);
    }
  });

  it('should keep docs/contract/schema.graphql complete: every type, field and argument the service serves is in it', () => {
    // The copy is what clients read: a field served but missing from it was a field no client knew of.
    expect(contractViolations(generated, buildSchema(readFileSync(VENDORED_CONTRACT, 'utf8')))).toEqual([]);
  });

  it('should detect a breaking change', () => {
    const broken = buildSchema(
      readFileSync(VENDORED_CONTRACT, 'utf8')
        .replace('totalCount: Int!', 'totalCount: Int')
        .replace('enum Encoding {\n  GSM7', 'enum Encoding {\n  GSM8'),
    );
    expect(contractViolations(contract, broken)).toEqual(
      expect.arrayContaining([
        'MessageConnection.totalCount is Int, the contract says Int!',
        'enum Encoding lacks GSM7',
      ]),
    );
  });
});
