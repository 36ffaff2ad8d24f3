import { Autocomplete, type AutocompleteProps } from '@mantine/core';
import { matchFields, toSqlField } from './queryComplete';

/**
 * FieldInput completes field names as SQL value expressions: typing `card`
 * offers SpanAttributes['app.payment.card_type'].
 */
export function FieldInput({ fields, value, onChange, ...rest }: {
  fields: string[]; value: string; onChange: (v: string) => void;
} & Omit<AutocompleteProps, 'data' | 'value' | 'onChange'>) {
  const data = Array.from(new Set(matchFields(fields, value.replace(/\[.*$/, ''), 30).map(toSqlField)));
  return <Autocomplete {...rest} value={value} onChange={onChange} data={data} filter={({ options }) => options} />;
}
