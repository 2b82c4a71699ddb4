{#-
    The input contract: one transactions file (CSV or Parquet by extension; a glob of several works) with
    customer_id, transaction_at, amount and optionally transaction_id. Extra columns are ignored.

    rfm_transactions_file_columns() checks the file once per compile (it exists, it has the required columns)
    and says, per contract column, which file column holds it and whether it is text. read_transactions()
    then selects exactly the contract's columns, values untouched: parsing and quarantine happen in
    stg_transactions_classified, so that a rejected row keeps its original value.
-#}

{% macro rfm_contract_columns() -%}
    {#- contract column -> required -#}
    {{ return({'customer_id': true, 'transaction_at': true, 'amount': true, 'transaction_id': false}) }}
{%- endmacro %}


{#- A SQL string literal for any text, quotes included (paths with spaces or quotes work). -#}
{% macro rfm_string_literal(value) -%}
    '{{ value | string | replace("'", "''") }}'
{%- endmacro %}


{% macro rfm_transactions_path() -%}
    {%- set path = var('transactions_path') -%}
    {%- if path is none or (path | string | trim) == '' -%}
        {{ exceptions.raise_compiler_error(
            "No transactions file is set: pass --vars '{transactions_path: <file>}' or set RFM_TRANSACTIONS_PATH."
        ) }}
    {%- endif -%}
    {{ return(path | string) }}
{%- endmacro %}


{% macro rfm_transactions_scan() -%}
    {{ return(adapter.dispatch('rfm_transactions_scan', 'rfm')(rfm_transactions_path())) }}
{%- endmacro %}


{% macro default__rfm_transactions_scan(path) -%}
    {%- set lowered = path | lower -%}
    {%- if lowered.endswith('.parquet') or lowered.endswith('.pq') -%}
        {%- set scan -%}
            read_parquet({{ rfm_string_literal(path) }}, union_by_name = true, filename = 'source_file')
        {%- endset -%}
    {%- elif lowered.endswith('.csv') or lowered.endswith('.csv.gz') or lowered.endswith('.tsv') or lowered.endswith('.txt') -%}
        {#- Every CSV column is read as text: leading zeros survive and a bad value quarantines its row
            instead of failing the whole read. -#}
        {%- set scan -%}
            read_csv({{ rfm_string_literal(path) }}, all_varchar = true, header = true, union_by_name = true, filename = 'source_file')
        {%- endset -%}
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "The transactions file '" ~ path ~ "' has an unsupported extension: use .csv, .csv.gz, .tsv, .txt, .parquet or .pq."
        ) }}
    {%- endif -%}
    {{ return(scan) }}
{%- endmacro %}


{#- {contract column: {'name': file column or none, 'is_text': bool}}; at parse time, the contract's own names. -#}
{% macro rfm_transactions_file_columns() -%}
    {%- set mapping = var('transactions_columns') or {} -%}
    {%- set contract = rfm_contract_columns() -%}
    {%- for key in mapping -%}
        {%- if key not in contract -%}
            {{ exceptions.raise_compiler_error(
                "var transactions_columns maps '" ~ key ~ "', which is not a contract column (use one of: "
                ~ (contract.keys() | join(', ')) ~ ")."
            ) }}
        {%- endif -%}
    {%- endfor -%}

    {%- set resolved = {} -%}
    {%- if not rfm_can_introspect() -%}
        {%- for name in contract -%}
            {%- do resolved.update({name: {'name': name, 'is_text': true}}) -%}
        {%- endfor -%}
        {{ return(resolved) }}
    {%- endif -%}

    {%- set path = rfm_transactions_path() -%}
    {%- set scan = rfm_transactions_scan() -%}
    {%- set found = adapter.dispatch('rfm_describe_file', 'rfm')(path, scan) -%}
    {%- for name, required in contract.items() -%}
        {%- set wanted = (mapping.get(name) or name) | lower -%}
        {%- if wanted in found -%}
            {%- do resolved.update({name: found[wanted]}) -%}
        {%- elif required -%}
            {{ exceptions.raise_compiler_error(
                "The transactions file '" ~ path ~ "' has no column '" ~ wanted ~ "' for " ~ name
                ~ " (columns found: " ~ (found.values() | map(attribute='name') | join(', '))
                ~ "); rename it or map it with var transactions_columns."
            ) }}
        {%- else -%}
            {%- do resolved.update({name: {'name': none, 'is_text': true}}) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(resolved) }}
{%- endmacro %}


{#- {lowercased file column: {'name': column, 'is_text': bool}}, failing in one sentence when nothing matches the path. -#}
{% macro default__rfm_describe_file(path, scan) -%}
    {%- set matches = run_query('select count(*) from glob(' ~ rfm_string_literal(path) ~ ')').columns[0].values()[0] -%}
    {%- if matches == 0 -%}
        {{ exceptions.raise_compiler_error(
            "The transactions file '" ~ path ~ "' does not exist (no file matches that path): run `rfm generate` or pass --vars '{transactions_path: <file>}'."
        ) }}
    {%- endif -%}
    {%- set found = {} -%}
    {%- for row in run_query('describe select * exclude (source_file) from ' ~ scan) -%}
        {%- do found.update({row['column_name'] | lower: {
            'name': row['column_name'],
            'is_text': row['column_type'] | upper == 'VARCHAR',
        }}) -%}
    {%- endfor -%}
    {{ return(found) }}
{%- endmacro %}


{% macro read_transactions(columns) -%}
    select
        -- Position in the read order (files in name order, rows in file order), 1-based.
        row_number() over () as source_row_number,
        source_file,
        {%- for name, column in columns.items() %}
        {% if column.name is none -%}
        -- No such column in the file: every row is its own transaction and nothing is deduplicated.
        cast(null as {{ dbt.type_string() }})
        {%- else -%}
        {{ adapter.quote(column.name) }}
        {%- endif %} as {{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ rfm_transactions_scan() }}
{%- endmacro %}


{#- try_cast, not dbt.safe_cast: dbt-duckdb renders safe_cast as a plain cast, which fails the whole build on
    '2025-02-30'. DuckDB and Spark (3.2+) both spell it try_cast. Text is trimmed first: try_cast rejects
    ' 2025-01-05'; typed columns are parsed as they are. -#}
{% macro rfm_parse(name, is_text, type) -%}
    try_cast({{ 'trim(' ~ name ~ ')' if is_text else name }} as {{ type }})
{%- endmacro %}
