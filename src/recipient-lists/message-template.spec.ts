import { UserInputError } from '../common/errors/domain-error';
import { MessageTemplate } from './message-template';

describe(MessageTemplate.name, () => {
  const fields = ['phone', 'name', 'party'];

  it('should render fields, with defaults for empty ones', () => {
    const template = MessageTemplate.parse('Hi {{ name | default: "there" }}, table for {{ party }}', fields);
    expect(template.isStatic).toBe(false);
    expect(template.fields).toEqual(['name', 'party']);
    expect(template.render({ name: 'Ada', party: '4' })).toBe('Hi Ada, table for 4');
    expect(template.render({ name: '', party: '2' })).toBe('Hi there, table for 2');
  });

  it('should tell the fields it reads only with a default', () => {
    const template = MessageTemplate.parse(
      '{% if party == "3" %}Hi {{ name | default: "there" }}{% else %}Hello {{ name | default: "you" | upcase }}{% endif %}' +
        ', table for {{ party }} by {{ phone | default: party }}',
      fields,
    );
    expect(template.fields).toEqual(['party', 'name', 'phone']);
    // party is read without one; phone's default reads another field, which may be empty too.
    expect([...template.defaultedFields]).toEqual(['name']);
    const once = MessageTemplate.parse('Hi {{ name | default: "there" }}, {{ name }}', fields);
    expect(once.defaultedFields.size).toBe(0);
    expect(MessageTemplate.parse('Hi {{ name | upcase }}', fields).defaultedFields.size).toBe(0);
    // An empty default still renders as nothing.
    expect(MessageTemplate.parse('Hi {{ name | default: "" }}', fields).defaultedFields.size).toBe(0);
  });

  it('should leave a text without placeholders as it is', () => {
    const template = MessageTemplate.parse('Hello {name}', fields);
    expect(template.isStatic).toBe(true);
    expect(template.render({})).toBe('Hello {name}');
  });

  it('should name an unknown field with its line and column', () => {
    const parse = () => MessageTemplate.parse('Hi\n  {{ nmae }}', fields);
    expect(parse).toThrow(UserInputError);
    expect(parse).toThrow(
      'text: template: unknown field "nmae" at line 2, column 6; the list has "phone", "name", "party"',
    );
  });

  it('should show how to write a column whose name has spaces when a field is unknown', () => {
    const columns = ['phone', 'First Name', 'Customer Name'];
    const hint = '; a column whose name has spaces is written {{ ["Customer Name"] }}';
    expect(() => MessageTemplate.parse('Hi {{ Customer Name }}', columns)).toThrow(
      `text: template: unknown field "Customer" at line 1, column 7; the list has "phone", "First Name", "Customer Name"${hint}`,
    );
    expect(() => MessageTemplate.parse('Hi {{ customer_name }}', columns)).toThrow(hint);
    // No column matches: the first one that needs the brackets is the example.
    expect(() => MessageTemplate.parse('Hi {{ nmae }}', columns)).toThrow(
      '; a column whose name has spaces is written {{ ["First Name"] }}',
    );
    expect(() => MessageTemplate.parse('Hi {{ Say }}', ['phone', 'Say "hi"'])).toThrow(
      `; a column whose name has spaces is written {{ ['Say "hi"'] }}`,
    );

    const template = MessageTemplate.parse('Hi {{ ["Customer Name"] | default: "there" }}', columns);
    expect(template.fields).toEqual(['Customer Name']);
    expect(template.render({ 'Customer Name': 'Ada' })).toBe('Hi Ada');
    expect(template.render({ 'Customer Name': '' })).toBe('Hi there');
    expect(MessageTemplate.parse(`{{ ['Say "hi"'] }}`, ['Say "hi"']).render({ 'Say "hi"': 'yes' })).toBe('yes');
  });

  it('should report a syntax error with its position', () => {
    expect(() => MessageTemplate.parse('Hi {{ name ', fields)).toThrow(
      /^text: template: output "{{ name " not closed at line 1, column 4$/,
    );
    expect(() => MessageTemplate.parse('Hi {{ name | upcase2 }}', fields)).toThrow(
      /^text: template: undefined filter: upcase2 at line 1, column 4$/,
    );
  });

  it('should not read files or run code', () => {
    expect(() => MessageTemplate.parse('{% include "/etc/passwd" %}', fields)).toThrow(/tag "include" not found/);
    expect(() => MessageTemplate.parse('{% render "package.json" %}', fields)).toThrow(/tag "render" not found/);
    const template = MessageTemplate.parse('{{ name.constructor }}{{ name.length }}', fields);
    expect(template.render({ name: 'Ada' })).toBe('3');
  });

  it('should refuse loops', () => {
    expect(() => MessageTemplate.parse('{% for i in (1..100000000) %}{{ name }}{% endfor %}', fields)).toThrow(
      /tag "for" not found/,
    );
  });
});
