/** Shapes of the column and form definitions that views keep in their data.ts. */
export interface ColumnDef<R> {
  prop: string
  labelKey: string
  width?: number
  minWidth?: number
  /** Text of the cell; receives the translator so data.ts stays free of component state. */
  format?: (row: R, t: (key: string) => string) => string
}

export interface OptionDef {
  value: string
  labelKey: string
}

export interface FieldDef {
  prop: string
  labelKey: string
  kind: 'text' | 'password' | 'number' | 'select' | 'textarea' | 'timezone'
  required?: boolean
  options?: readonly OptionDef[]
  min?: number
  max?: number
  precision?: number
  maxlength?: number
}

export type FormModel = Record<string, string | number | null>
