{#-
    The input contract: one transactions file (CSV or Parquet by extension; a glob of several works) with
    customer_id, transaction_at, amount and optionally transaction_id. Order lines may say order_id, and
    quantity and unit_price instead of amount. Extra columns are ignored.

    rfm_transactions_file_columns() checks the file once per compile (it exists, it has the required columns)
    and says, per contract column, which file column holds it and whether it is text. read_transactions()
    then selects exactly the contract's columns, values untouched: parsing and quarantine happen in
    stg_transactions_classified, so that a rejected row keeps its original value.
-#}

{% macro rfm_contract_columns() -%}
    {#- contract column -> required (amount is, unless quantity and unit_price are there to make it) -#}
    {{ return({
        'customer_id': true, 'transaction_at': true, 'amount': false, 'transaction_id': false,
        'order_id': false, 'quantity': false, 'unit_price': false,
    }) }}
{%- endmacro %}

{#- {contract column: {'name': file column or none, 'is_text': bool}}; at parse time, the contract's own names. -#}
{% macro rfm_transactions_file_columns() -%}
    {%- set mapping = rfm_transactions_columns() -%}
    {%- set contract = rfm_contract_columns() -%}

    {%- set resolved = {} -%}
    {%- if not rfm_can_introspect() -%}
        {%- for name in contract -%}
            {%- do resolved.update({name: {'name': name, 'is_text': true, 'is_fractional': false, 'is_integer': false}}) -%}
        {%- endfor -%}
        {{ return(resolved) }}
    {%- endif -%}

    {%- set path = rfm_transactions_path() -%}
    {%- if rfm_transactions_relation() is not none -%}
        {%- do rfm_check_input_relation() -%}
    {%- endif -%}
    {%- set scan = none if rfm_csv_pinned() else rfm_transactions_scan() -%}
    {%- set found = adapter.dispatch('rfm_describe_file', 'rfm')(path, scan) -%}
    {%- for name, required in contract.items() -%}
        {%- set wanted = (mapping.get(name) or name) | lower -%}
        {#- A repeated header is read as `amount` and `amount_1`: which one is meant must be said, not guessed
            (the first one would win silently). An explicit mapping settles it. -#}
        {%- if name not in mapping and wanted in found and (wanted ~ '_1') in found -%}
            {{ exceptions.raise_compiler_error(
                "The transactions " ~ rfm_input_kind() ~ " '" ~ path ~ "' has two columns that read as '" ~ wanted ~ "' ("
                ~ found[wanted].name ~ " and " ~ found[wanted ~ '_1'].name ~ ", a repeated header?); rename one, or map the one"
                ~ " you mean with var transactions_columns, e.g. {" ~ name ~ ": " ~ found[wanted ~ '_1'].name ~ "}."
            ) }}
        {%- endif -%}
        {%- if wanted in found -%}
            {%- do resolved.update({name: found[wanted]}) -%}
        {%- elif required -%}
            {{ exceptions.raise_compiler_error(
                "The transactions " ~ rfm_input_kind() ~ " '" ~ path ~ "' has no column '" ~ wanted ~ "' for " ~ name
                ~ " (columns found: " ~ (found.values() | map(attribute='name') | join(', '))
                ~ "); rename it or map it with var transactions_columns."
            ) }}
        {%- else -%}
            {%- do resolved.update({name: rfm_absent_column()}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set has_lines = resolved.quantity.name is not none and resolved.unit_price.name is not none -%}
    {%- if resolved.amount.name is none and not has_lines -%}
        {{ exceptions.raise_compiler_error(
            "The transactions " ~ rfm_input_kind() ~ " '" ~ path ~ "' has no column '" ~ (mapping.get('amount') or 'amount')
            ~ "' for amount, nor quantity and unit_price to make it (columns found: "
            ~ (found.values() | map(attribute='name') | join(', '))
            ~ "); rename or map them with var transactions_columns."
        ) }}
    {%- endif -%}
    {%- if resolved.amount.name is not none -%}
        {#- An amount is the amount: quantity and unit_price are not read. -#}
        {%- do resolved.update({'quantity': rfm_absent_column(), 'unit_price': rfm_absent_column()}) -%}
    {%- endif -%}
    {{ return(resolved) }}
{%- endmacro %}

{#- A contract column the input does not have: read as null text. -#}
{% macro rfm_absent_column() -%}
    {{ return({'name': none, 'is_text': true, 'is_fractional': false, 'is_integer': false}) }}
{%- endmacro %}


{#- {lowercased file column: {'name': column, 'is_text': bool, ...}}, failing in one sentence when nothing matches the path. -#}
{% macro default__rfm_describe_file(path, scan) -%}
    {%- if rfm_matching_file_count() == 0 -%}
        {{ exceptions.raise_compiler_error(
            "The transactions file '" ~ path ~ "' does not exist (no file matches that path): run `rfm generate` or pass --vars '{transactions_path: <file>}'."
        ) }}
    {%- endif -%}
    {%- set found = {} -%}
    {%- if rfm_csv_pinned() -%}
        {#- Every column is text; the headers say which there are (describing the scan would bind its reader,
            whose reject tables must first be made by the model's own statement). -#}
        {%- for names in rfm_csv_headers().values() -%}
            {%- for name in names if name | lower not in found -%}
                {%- do found.update({name | lower: {'name': name, 'is_text': true, 'is_fractional': false, 'is_integer': false}}) -%}
            {%- endfor -%}
        {%- endfor -%}
        {{ return(found) }}
    {%- endif -%}
    {%- for row in run_query('describe select * exclude (_rfm_source_file) from ' ~ scan) -%}
        {%- set column_type = row['column_type'] | upper -%}
        {%- do found.update({row['column_name'] | lower: {
            'name': row['column_name'],
            'is_text': column_type == 'VARCHAR',
            'is_fractional': column_type in ('FLOAT', 'DOUBLE', 'REAL') or column_type.startswith('DECIMAL'),
            'is_integer': column_type in ('TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT',
                                          'UTINYINT', 'USMALLINT', 'UINTEGER', 'UBIGINT', 'UHUGEINT'),
        }}) -%}
    {%- endfor -%}
    {{ return(found) }}
{%- endmacro %}


{% macro spark__rfm_describe_file(path, scan) -%}
    {#- A path that matches nothing has already failed in the scan, with Spark's PATH_NOT_FOUND naming it. -#}
    {%- set found = {} -%}
    {%- for row in run_query('describe ' ~ scan) -%}
        {%- set column_type = row['data_type'] | lower -%}
        {%- if row['col_name'] and not row['col_name'].startswith('#') -%}
            {%- do found.update({row['col_name'] | lower: {
                'name': row['col_name'],
                'is_text': column_type == 'string' or column_type.startswith('varchar') or column_type.startswith('char'),
                'is_fractional': column_type in ('float', 'double') or column_type.startswith('decimal'),
                'is_integer': column_type in ('tinyint', 'smallint', 'int', 'bigint'),
            }}) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(found) }}
{%- endmacro %}
